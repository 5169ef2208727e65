import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponse } from '../contracts/api';
import { ErrorBody } from '../contracts/errors';
import { databaseKinds, freshDatabase, type TestDatabase } from '../tests/support/databases';
import { loadConfig } from './config';
import { type RunningServer, startServer } from './index';
import { smtpMailer } from './services/mailer';
import { PasswordReset } from './services/password-reset';
import { decoded, type Received, startMailbox, until } from '../tests/support/mailbox';

describe.each(databaseKinds)('password reset by email, on %s', (kind) => {
  let t: TestDatabase;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let server: RunningServer;
  let clock = new Date('2026-12-01T09:00:00Z');
  const dir = mkdtempSync(path.join(tmpdir(), 'siberia-reset-'));

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const form = async (token: string, password: string) => {
    const res = await fetch(`${server.url}/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, password }),
    });
    return { status: res.status, html: await res.text() };
  };
  const linkIn = (mail: Received) => {
    const link = /(http:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(decoded(mail.raw))?.[1];
    if (!link) throw new Error(`no link in:\n${mail.raw}`);
    return link;
  };

  beforeAll(async () => {
    t = await freshDatabase(kind);
    mailbox = await startMailbox();
    server = await startServer(
      loadConfig({
        PORT: '0',
        DATA_DIR: dir,
        AUTH_SECRET: 'p'.repeat(40),
        SMTP_URL: mailbox.url,
        MAIL_FROM: 'Siberia Mix <no-reply@siberiamix.test>',
      }),
      { db: t.db, logger: pino({ level: 'silent' }), now: () => clock },
    );
  });
  afterAll(async () => {
    await server?.close();
    await mailbox?.close();
    await t?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mails a single-use link whose page sets the new password and signs out every device', async () => {
    const email = `reset-${kind}@example.com`;
    const first = AuthResponse.parse(
      (await call('POST', '/api/auth/register', { email, password: 'the old password' })).body,
    );
    const second = AuthResponse.parse(
      (await call('POST', '/api/auth/login', { email, password: 'the old password' })).body,
    );

    expect(await call('POST', '/api/auth/password-reset', { email: email.toUpperCase() })).toEqual({
      status: 202,
      body: { ok: true },
    });
    const mail = await until(() => mailbox.received.find((m) => m.to.includes(email)));
    expect(mail.from).toBe('no-reply@siberiamix.test');
    expect(mail.raw).toMatch(/^Subject: Reset your Siberia Mix password/m);
    const link = linkIn(mail);
    expect(link.startsWith(`${server.url}/reset-password?token=`)).toBe(true);
    const token = new URL(link).searchParams.get('token') as string;

    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('cache-control')).toBe('no-store');
    const page = await opened.text();
    expect(page).toContain('<form method="post" action="/reset-password">');
    expect(page).toContain(`name="token" value="${token}"`);

    const blank = await form(token, ' '.repeat(12));
    expect(blank.status).toBe(400);
    expect(blank.html).toContain('New password: not only spaces.');
    expect((await form(token, 'the new password')).status).toBe(200);

    // Every device is signed out; the new password works, the old one not.
    for (const session of [first, second])
      expect((await call('POST', '/api/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(
        401,
      );
    expect((await call('POST', '/api/auth/login', { email, password: 'the old password' })).status).toBe(401);
    expect((await call('POST', '/api/auth/login', { email, password: 'the new password' })).status).toBe(200);

    // Used once, the link is dead.
    expect((await fetch(link)).status).toBe(410);
    expect((await form(token, 'a third password')).status).toBe(410);
    expect((await call('POST', '/api/auth/login', { email, password: 'a third password' })).status).toBe(401);
  });

  it('answers the same for an unknown email and sends nothing; a link dies after 30 minutes', async () => {
    const before = mailbox.received.length;
    expect(await call('POST', '/api/auth/password-reset', { email: 'nobody@example.com' })).toEqual({
      status: 202,
      body: { ok: true },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(mailbox.received.length).toBe(before);

    const email = `late-${kind}@example.com`;
    await call('POST', '/api/auth/register', { email, password: 'the old password' });
    await call('POST', '/api/auth/password-reset', { email });
    const link = linkIn(await until(() => mailbox.received.find((m) => m.to.includes(email))));
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect((await fetch(link)).status).toBe(410);
    expect((await form(new URL(link).searchParams.get('token') as string, 'the new password')).status).toBe(
      410,
    );
    expect((await form('not-a-token', 'the new password')).status).toBe(410);
  });

  it('takes 5 requests per address in 15 minutes, and sends an email at most 3 links an hour', async () => {
    const email = `often-${kind}@example.com`;
    await call('POST', '/api/auth/register', { email, password: 'the old password' });
    // The two earlier tests asked 3 times from this address: 2 more are taken, the next is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call('POST', '/api/auth/password-reset', { email })).status);
    expect(statuses).toEqual([202, 202, 429]);
    const refused = await call('POST', '/api/auth/password-reset', { email });
    expect(ErrorBody.parse(refused.body).error.code).toBe('rate_limited');

    // Past the address limit (several addresses, say): the email itself gets 3 links an hour.
    const reset = new PasswordReset({
      db: t.db,
      mailer: smtpMailer(mailbox.url, 'no-reply@siberiamix.test'),
      publicUrl: () => server.url,
      resetPath: '/reset-password',
      logger: pino({ level: 'silent' }),
      now: () => clock,
    });
    reset.request(email);
    reset.request(email);
    await until(() => (mailbox.received.filter((m) => m.to.includes(email)).length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(mailbox.received.filter((m) => m.to.includes(email))).toHaveLength(3);
    clock = new Date(clock.getTime() + 61 * 60_000);
    reset.request(email);
    await until(() => (mailbox.received.filter((m) => m.to.includes(email)).length === 4 ? true : undefined));
  });
});

describe('password reset without SMTP_URL', () => {
  let t: TestDatabase;
  let server: RunningServer;
  beforeAll(async () => {
    t = await freshDatabase('sqlite');
    server = await startServer(loadConfig({ PORT: '0', AUTH_SECRET: 'q'.repeat(40) }), {
      db: t.db,
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await server?.close();
    await t?.dispose();
  });

  it('answers 503 mail_unavailable, whatever the email', async () => {
    const res = await fetch(`${server.url}/api/auth/password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'anyone@example.com' }),
    });
    expect(res.status).toBe(503);
    expect(ErrorBody.parse(await res.json()).error.code).toBe('mail_unavailable');
  });
});
