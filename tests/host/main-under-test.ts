// The real main-process services on Node ports, pointed at a companion server, for service tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMainServices, type MainServices } from '../../electron/main/main-services';
import type { Clock, Logger } from '../../electron/main/ports';
import type { KeychainPort, SafeStoragePort } from '../../electron/main/services/credentials';
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
  /** Answers for the save and open dialogs (null: the user cancels). */
  dialogs: { save: string | null; open: string | null };
};

export function mainUnderTest(
  serverUrl: string,
  opts: {
    dataDir?: string;
    keychain?: KeychainPort | null;
    safeStorage?: SafeStoragePort | null;
    checkoutOrigins?: string[];
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
  const dialogs: MainUnderTest['dialogs'] = { save: null, open: null };
  const main = createMainServices({
    store: confStore(dataDir),
    keychain: opts.keychain ?? null,
    safeStorage: opts.safeStorage === undefined ? fakeSafeStorage() : opts.safeStorage,
    emit: events.emit,
    openExternal: async (url) => {
      opened.push(url);
    },
    dialogs: { save: async () => dialogs.save, open: async () => dialogs.open },
    files: nodeFiles,
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
