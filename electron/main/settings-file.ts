import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import type { KeyValueStore } from './ports';

export const SETTINGS_FILE = 'settings.json';

/** The settings file in `dir` (the app's userData), as a key-value store; `conf` reads it at once. */
export function confStore(dir: string): KeyValueStore {
  const conf = new Conf<Record<string, unknown>>({
    cwd: dir,
    projectName: 'siberia-mix',
    configName: path.basename(SETTINGS_FILE, '.json'),
  });
  return {
    get: (key) => conf.get(key),
    set: (key, value) => conf.set(key, value),
    delete: (key) => conf.delete(key),
  };
}

export type OpenedSettings = {
  store: KeyValueStore;
  /** Where an unreadable settings file was moved to before starting afresh; null when it read fine. */
  setAside: string | null;
};

/**
 * Opens the settings. A file that cannot be read or parsed (cut short by a crash, edited by hand,
 * replaced by a folder) is renamed beside itself, kept for the user to look at, and the app starts
 * with defaults; the caller says so. If a fresh file cannot be made either, the error is thrown.
 */
export function openSettings(dir: string, now: Date = new Date()): OpenedSettings {
  try {
    return { store: confStore(dir), setAside: null };
  } catch (error) {
    const file = path.join(dir, SETTINGS_FILE);
    if (!existsSync(file)) throw error;
    const stamp = now.toISOString().replace(/[:.]/g, '-');
    const aside = path.join(dir, `settings.unreadable-${stamp}.json`);
    renameSync(file, aside);
    return { store: confStore(dir), setAside: aside };
  }
}

/** What the app tells the user after setting a settings file aside. */
export function settingsResetMessage(aside: string): { message: string; detail: string } {
  return {
    message: 'Your settings could not be read, so Siberia Mix started with its default settings.',
    detail:
      `The old file was kept as ${aside}. Your projects and your subscription are not affected; ` +
      'sign in again if you are asked to.',
  };
}
