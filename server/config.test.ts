import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives a working local server with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8787',
      dataDir: './data',
      database: { kind: 'sqlite', file: './data/siberia.db' },
      stripe: {
        secretKey: null,
        webhookSecrets: [],
        apiBase: null,
        prices: { monthly: null, annual: null },
      },
      appScheme: 'siberiamix',
      quotas: { exportsPerMonth: 500, mastersPerMonth: 200, trialExports: 0, trialMasters: 0 },
      grantTtlSeconds: 900,
      maxDevicesPerUser: 3,
      offlineGraceDays: 7,
      pastDueKeepsPro: true,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://mix.example.com/',
      DATA_DIR: '/var/lib/siberia',
      DATABASE_URL: 'postgres://app@db:5432/siberia',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      STRIPE_PRICE_MONTHLY: 'price_m',
      STRIPE_PRICE_ANNUAL: 'price_y',
      APP_SCHEME: 'siberiamix-dev',
      AUTH_SECRET: 'x'.repeat(40),
      PRO_EXPORTS_PER_MONTH: '3',
      PRO_MASTERS_PER_MONTH: '2',
      FREE_TRIAL_EXPORTS: '2',
      FREE_TRIAL_MASTERS: '1',
      GRANT_TTL_SECONDS: '120',
      MAX_DEVICES_PER_USER: '5',
      OFFLINE_GRACE_DAYS: '1',
      PAST_DUE_KEEPS_PRO: 'false',
      LOG_LEVEL: 'warn',
      UNRELATED: 'ignored',
    });
    expect(config).toMatchObject({
      port: 9000,
      publicUrl: 'https://mix.example.com',
      database: { kind: 'postgres', url: 'postgres://app@db:5432/siberia' },
      stripe: {
        secretKey: 'sk_test_123',
        webhookSecrets: ['whsec_abc'],
        apiBase: 'http://127.0.0.1:12111',
        prices: { monthly: 'price_m', annual: 'price_y' },
      },
      appScheme: 'siberiamix-dev',
      quotas: { exportsPerMonth: 3, mastersPerMonth: 2, trialExports: 2, trialMasters: 1 },
      grantTtlSeconds: 120,
      maxDevicesPerUser: 5,
      offlineGraceDays: 1,
      pastDueKeepsPro: false,
      logLevel: 'warn',
    });
  });

  it('leaves the public URL to be known once a random port (PORT=0) is bound', () => {
    expect(loadConfig({ PORT: '0' }).publicUrl).toBeNull();
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database).toEqual({
      kind: 'sqlite',
      file: '/tmp/x.db',
    });
  });

  it('names every bad variable on a line of its own', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        STRIPE_SECRET_KEY: 'pk_test_nope',
        PRO_EXPORTS_PER_MONTH: '-1',
        LOG_LEVEL: 'loud',
        AUTH_SECRET: 'short',
        GRANT_TTL_SECONDS: '5',
        MAX_DEVICES_PER_USER: '0',
        FREE_TRIAL_EXPORTS: 'some',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const name of [
      'PORT',
      'STRIPE_SECRET_KEY',
      'PRO_EXPORTS_PER_MONTH',
      'LOG_LEVEL',
      'AUTH_SECRET',
      'GRANT_TTL_SECONDS',
      'MAX_DEVICES_PER_USER',
      'FREE_TRIAL_EXPORTS',
    ]) {
      expect(problems.filter((p) => p.startsWith(`${name}:`))).toHaveLength(1);
    }
    expect((error as ConfigError).message.split('\n')).toHaveLength(problems.length + 1);
  });

  it('refuses half a Stripe setup', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'sk_test_1' })).toThrow(/STRIPE_WEBHOOK_SECRET: required/);
    expect(() => loadConfig({ STRIPE_PRICE_MONTHLY: 'price_1' })).toThrow(/STRIPE_PRICE_ANNUAL: set both/);
    expect(() =>
      loadConfig({
        STRIPE_SECRET_KEY: 'sk_live_1',
        STRIPE_WEBHOOK_SECRET: 'whsec_1',
        STRIPE_API_BASE: 'http://127.0.0.1:1',
      }),
    ).toThrow(/STRIPE_API_BASE: a live key/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with/);
  });
});
