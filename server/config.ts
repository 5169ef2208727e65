import { z } from 'zod';
import type { Quotas } from './domain/quota';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The server's environment, with its defaults. Unknown variables are ignored (it is the whole process env). */
const EnvSchema = z.object({
  PORT: int(0, 65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(postgres(ql)?:\/\/|sqlite:|file:)/, 'must start with postgres://, sqlite: or file:')
      .optional(),
  ),
  STRIPE_SECRET_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, 'must be a Stripe secret key (sk_test_…)')
      .optional(),
  ),
  // A comma-separated list while the endpoint's secret is being rotated (old and new both verify).
  STRIPE_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.string().startsWith('whsec_', 'each secret must start with whsec_')))
      .optional(),
  ),
  STRIPE_API_BASE: optionalString.pipe(z.url().optional()),
  STRIPE_PRICE_MONTHLY: optionalString.pipe(
    z.string().startsWith('price_', 'must be a price id (price_…)').optional(),
  ),
  STRIPE_PRICE_ANNUAL: optionalString.pipe(
    z.string().startsWith('price_', 'must be a price id (price_…)').optional(),
  ),
  APP_SCHEME: z
    .string()
    .regex(/^[a-z][a-z0-9+.-]*$/, 'must be a URL scheme (lower-case letters, digits, + . -)')
    .default('siberiamix'),
  AUTH_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  ENTITLEMENT_PRIVATE_KEY: optionalString,
  PRO_EXPORTS_PER_MONTH: int(0, 1_000_000).default(500),
  PRO_MASTERS_PER_MONTH: int(0, 1_000_000).default(200),
  FREE_TRIAL_EXPORTS: int(0, 1_000_000).default(0),
  FREE_TRIAL_MASTERS: int(0, 1_000_000).default(0),
  GRANT_TTL_SECONDS: int(30, 86_400).default(900),
  MAX_DEVICES_PER_USER: int(1, 100).default(3),
  OFFLINE_GRACE_DAYS: int(0, 90).default(7),
  PAST_DUE_KEEPS_PRO: bool.default(true),
  PAST_DUE_GRACE_DAYS: int(0, 365).default(14),
  STRIPE_AUTOMATIC_TAX: bool.default(false),
  STRIPE_RECONCILE_INTERVAL_S: int(0, 7 * 86_400).default(3600),
  // Password reset mails: smtp://user:pass@host:587 or smtps://… (nodemailer), and their sender.
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
  ),
  MAIL_FROM: optionalString,
  // Prometheus metrics: off unless one is set (a port of their own, or a token on the main port).
  METRICS_PORT: int(1, 65535).optional(),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ServerConfig = {
  port: number;
  host: string;
  /** Where browsers and Stripe reach the server; null until known when PORT is 0 (a random port). */
  publicUrl: string | null;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  stripe: {
    secretKey: string | null;
    /** Each verifies webhooks; several while the endpoint's secret is rotated. Empty: none. */
    webhookSecrets: string[];
    apiBase: string | null;
    prices: { monthly: string | null; annual: string | null };
  };
  appScheme: string;
  authSecret: string | null;
  entitlementPrivateKey: string | null;
  quotas: Quotas;
  /** How long a grant's reservation holds its unit unless committed, released or renewed. */
  grantTtlSeconds: number;
  maxDevicesPerUser: number;
  offlineGraceDays: number;
  pastDueKeepsPro: boolean;
  /** The most days past_due keeps Pro after the first failed payment. */
  pastDueGraceDays: number;
  /** Stripe Tax computes VAT at Checkout (the address and VAT number are collected). */
  automaticTax: boolean;
  /** Seconds between reconciliations with Stripe; 0: none. */
  reconcileIntervalS: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Password reset by email; null without SMTP_URL (the route then answers 503 mail_unavailable). */
  mail: { smtpUrl: string; from: string } | null;
  /** GET /metrics: on a port of its own (HOST), and/or on the main port behind a bearer token. */
  metrics: { port: number | null; token: string | null };
};

/** Thrown with one line per bad variable, each naming it, so an operator fixes them all at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const lookupKeyNote =
  'when unset, the prices with lookup keys siberia_pro_monthly and siberia_pro_annual are used';

export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'environment')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (Boolean(e.STRIPE_SECRET_KEY) !== Boolean(e.STRIPE_WEBHOOK_SECRET)) {
    problems.push(
      e.STRIPE_SECRET_KEY
        ? 'STRIPE_WEBHOOK_SECRET: required with STRIPE_SECRET_KEY (webhooks cannot be verified without it)'
        : 'STRIPE_SECRET_KEY: required with STRIPE_WEBHOOK_SECRET',
    );
  }
  if (e.STRIPE_SECRET_KEY?.includes('_live_') && e.STRIPE_API_BASE) {
    problems.push('STRIPE_API_BASE: a live key must talk to Stripe itself, not to an emulator');
  }
  if (Boolean(e.STRIPE_PRICE_MONTHLY) !== Boolean(e.STRIPE_PRICE_ANNUAL)) {
    problems.push(
      `${e.STRIPE_PRICE_MONTHLY ? 'STRIPE_PRICE_ANNUAL' : 'STRIPE_PRICE_MONTHLY'}: set both prices or neither (${lookupKeyNote})`,
    );
  }
  if (Boolean(e.SMTP_URL) !== Boolean(e.MAIL_FROM))
    problems.push(
      e.SMTP_URL
        ? 'MAIL_FROM: required with SMTP_URL (the sender of password reset mails)'
        : 'SMTP_URL: required with MAIL_FROM',
    );
  if (problems.length) throw new ConfigError(problems);
  const publicUrl = e.PUBLIC_URL ?? (e.PORT === 0 ? null : `http://${e.HOST}:${e.PORT}`);
  const dbUrl = e.DATABASE_URL;
  const database: ServerConfig['database'] =
    dbUrl && /^postgres(ql)?:\/\//.test(dbUrl)
      ? { kind: 'postgres', url: dbUrl }
      : {
          kind: 'sqlite',
          file: dbUrl
            ? dbUrl.replace(/^(sqlite|file):(\/\/)?/, '')
            : `${e.DATA_DIR.replace(/\/$/, '')}/siberia.db`,
        };
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: publicUrl?.replace(/\/$/, '') ?? null,
    dataDir: e.DATA_DIR,
    database,
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY ?? null,
      webhookSecrets: e.STRIPE_WEBHOOK_SECRET ?? [],
      apiBase: e.STRIPE_API_BASE ?? null,
      prices: { monthly: e.STRIPE_PRICE_MONTHLY ?? null, annual: e.STRIPE_PRICE_ANNUAL ?? null },
    },
    appScheme: e.APP_SCHEME,
    authSecret: e.AUTH_SECRET ?? null,
    entitlementPrivateKey: e.ENTITLEMENT_PRIVATE_KEY ?? null,
    quotas: {
      exportsPerMonth: e.PRO_EXPORTS_PER_MONTH,
      mastersPerMonth: e.PRO_MASTERS_PER_MONTH,
      trialExports: e.FREE_TRIAL_EXPORTS,
      trialMasters: e.FREE_TRIAL_MASTERS,
    },
    grantTtlSeconds: e.GRANT_TTL_SECONDS,
    maxDevicesPerUser: e.MAX_DEVICES_PER_USER,
    offlineGraceDays: e.OFFLINE_GRACE_DAYS,
    pastDueKeepsPro: e.PAST_DUE_KEEPS_PRO,
    pastDueGraceDays: e.PAST_DUE_GRACE_DAYS,
    automaticTax: e.STRIPE_AUTOMATIC_TAX,
    reconcileIntervalS: e.STRIPE_RECONCILE_INTERVAL_S,
    logLevel: e.LOG_LEVEL,
    metrics: { port: e.METRICS_PORT ?? null, token: e.METRICS_TOKEN ?? null },
    mail: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : null,
  };
}
