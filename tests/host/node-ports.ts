// Node-backed ports for the main-process services: what index.ts backs with Electron, backed here
// with `conf`, the file system and recorders, for the test host and the service tests.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { BridgeEventName } from '../../contracts/bridge';
import type { KeychainPort, SafeStoragePort } from '../../electron/main/services/credentials';
import type { EventSink, Scheduler } from '../../electron/main/ports';

/** The app's own settings store, in a folder of our choosing. */
export { confStore } from '../../electron/main/settings-file';

export { nodeFiles } from '../../electron/main/node-files';

export type RecordedEvent = { event: BridgeEventName; payload: unknown };
export function eventRecorder(): {
  emit: EventSink;
  events: RecordedEvent[];
  of(name: BridgeEventName): unknown[];
} {
  const events: RecordedEvent[] = [];
  return {
    emit: (event, payload) => {
      events.push({ event, payload });
    },
    events,
    of: (name) => events.filter((e) => e.event === name).map((e) => e.payload),
  };
}

/** Timers that run when the test says so: "an hour later" without an hour of waiting. */
export type ManualScheduler = Scheduler & {
  pending(): Array<{ ms: number; repeat: boolean }>;
  /** Runs every task due within `ms` (once each); returns how many ran. */
  run(filter: (t: { ms: number; repeat: boolean }) => boolean): number;
};
export function manualScheduler(): ManualScheduler {
  const tasks = new Set<{ ms: number; repeat: boolean; fn: () => void }>();
  const add = (ms: number, fn: () => void, repeat: boolean) => {
    const t = { ms, fn, repeat };
    tasks.add(t);
    return () => void tasks.delete(t);
  };
  return {
    after: (ms, fn) => add(ms, fn, false),
    every: (ms, fn) => add(ms, fn, true),
    pending: () => [...tasks].map(({ ms, repeat }) => ({ ms, repeat })),
    run(filter) {
      let n = 0;
      for (const t of [...tasks]) {
        if (!filter(t)) continue;
        if (!t.repeat) tasks.delete(t);
        t.fn();
        n++;
      }
      return n;
    },
  };
}

/**
 * Electron's safeStorage stands in here (Electron cannot run in tests): real AES-GCM under a key
 * of this process, and the Linux backend name to report.
 */
export function fakeSafeStorage(backend = 'gnome_libsecret', available = true): SafeStoragePort {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: async () => available,
    getSelectedStorageBackend: () => backend,
    async encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    async decryptString(blob) {
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      d.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

/** A keychain in this process's memory: what keytar does with a working Secret Service. */
export function memoryKeychain(): KeychainPort {
  const secrets = new Map<string, string>();
  return {
    getPassword: async (s, a) => secrets.get(`${s}\0${a}`) ?? null,
    setPassword: async (s, a, p) => {
      secrets.set(`${s}\0${a}`, p);
    },
    deletePassword: async (s, a) => secrets.delete(`${s}\0${a}`),
  };
}
