// The real main-process services on Node ports, pointed at a companion server, for service tests.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importPKCS8 } from 'jose';
import { Jwks } from '../../contracts/tokens';
import { createMainServices, type MainServices } from '../../electron/main/main-services';
import type { Clock, FileFilter, Files, Logger } from '../../electron/main/ports';
import type { KeychainPort, SafeStoragePort } from '../../electron/main/services/credentials';
import type { Companion } from './companion';
import {
  confStore,
  eventRecorder,
  fakeSafeStorage,
  type ManualScheduler,
  manualScheduler,
  nodeFiles,
} from './node-ports';

export type MainUnderTest = {
  main: MainServices;
  events: ReturnType<typeof eventRecorder>;
  opened: string[];
  scheduler: ManualScheduler;
  clock: Clock & { advance(ms: number): void; set(ms: number): void };
  dataDir: string;
  logs: Array<{ level: string; msg: string; data?: Record<string, unknown> }>;
  /**
   * Answers for the save, open and folder dialogs (null: the user cancels); `asked`: what the save
   * dialogs were offered; `openAsked`: the open dialogs shown.
   */
  dialogs: {
    save: string | null;
    open: string | null;
    folder: string | null;
    asked: Array<{ name: string; filter?: FileFilter }>;
    openAsked: Array<'project' | 'audio'>;
  };
};

export function mainUnderTest(
  serverUrl: string,
  opts: {
    dataDir?: string;
    keychain?: KeychainPort | null;
    safeStorage?: SafeStoragePort | null;
    checkoutOrigins?: string[];
    /** The files port (default: Node's file system), e.g. one whose writes fail as on a full disk. */
    files?: Files;
  } = {},
): MainUnderTest {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'siberia-main-'));
  let offset = 0;
  let fixed: number | null = null;
  const clock = {
    nowMs: () => (fixed ?? Date.now()) + offset,
    advance: (ms: number) => {
      offset += ms;
    },
    set: (ms: number) => {
      fixed = ms;
      offset = 0;
    },
  };
  const logs: MainUnderTest['logs'] = [];
  const logger: Logger = {
    info: (msg, data) => logs.push({ level: 'info', msg, data }),
    warn: (msg, data) => logs.push({ level: 'warn', msg, data }),
    error: (msg, data) => logs.push({ level: 'error', msg, data }),
  };
  const events = eventRecorder();
  const opened: string[] = [];
  const scheduler = manualScheduler();
  const dialogs: MainUnderTest['dialogs'] = {
    save: null,
    open: null,
    folder: null,
    asked: [],
    openAsked: [],
  };
  const main = createMainServices({
    store: confStore(dataDir),
    keychain: opts.keychain ?? null,
    safeStorage: opts.safeStorage === undefined ? fakeSafeStorage() : opts.safeStorage,
    emit: events.emit,
    openExternal: async (url) => {
      opened.push(url);
    },
    dialogs: {
      save: async (name, _kind, filter) => {
        dialogs.asked.push({ name, filter });
        return dialogs.save;
      },
      open: async (kind = 'project') => {
        dialogs.openAsked.push(kind);
        return dialogs.open;
      },
      folder: async () => dialogs.folder,
    },
    files: opts.files ?? nodeFiles,
    dataDir,
    defaults: { serverUrl },
    checkoutOrigins: opts.checkoutOrigins ?? [],
    appInfo: { version: '0.0.0-test', platform: process.platform },
    clock,
    scheduler,
    logger,
  });
  return { main, events, opened, scheduler, clock, dataDir, logs, dialogs };
}

/** Main signed up as a new user of the given plan, with its entitlement token fetched. */
export async function signedInMain(
  companion: Companion,
  plan: 'free' | 'pro',
  opts: Parameters<typeof mainUnderTest>[1] = {},
): Promise<MainUnderTest> {
  const t = mainUnderTest(companion.url, opts);
  const state = await t.main.account.signUp({ email: `main${signUps++}@example.com`, password: PASSWORD });
  if (state.status !== 'signed_in') throw new Error('sign-up failed');
  await companion.setPlan(state.user.id, plan);
  await t.main.entitlements.refresh();
  return t;
}
const PASSWORD = 'a long password';
let signUps = 0;

/** The companion server's signing key, to forge tokens that verify. */
export async function serverKey(companion: Companion): Promise<{ key: CryptoKey; kid: string }> {
  const pem = readFileSync(path.join(companion.dataDir, 'entitlement-key.pem'), 'utf8');
  const key = await importPKCS8(pem, 'EdDSA');
  const jwks = Jwks.parse(await (await fetch(`${companion.server.url}/.well-known/jwks.json`)).json());
  return { key, kid: jwks.keys[0]?.kid as string };
}
