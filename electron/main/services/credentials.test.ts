import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confStore, eventRecorder, fakeSafeStorage } from '../../../tests/host/node-ports';
import { loadKeytar } from '../keychain';
import { silentLogger } from '../ports';
import { CredentialVault, type KeychainPort, type SafeStoragePort } from './credentials';
import { Settings } from './settings';

function vault(keychain: KeychainPort | null, safeStorage: SafeStoragePort | null, service?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'siberia-vault-'));
  const settings = new Settings(confStore(dir), { serverUrl: 'http://127.0.0.1:1' });
  const events = eventRecorder();
  const v = new CredentialVault({
    keychain,
    safeStorage,
    settings,
    emit: events.emit,
    logger: silentLogger,
    service,
  });
  const onDisk = () => {
    try {
      return readFileSync(path.join(dir, 'settings.json'), 'utf8');
    } catch {
      return '';
    }
  };
  return { v, events, onDisk, settings };
}

/** keytar without a Secret Service: every call rejects, as libsecret does. */
const deadKeychain: KeychainPort = {
  getPassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  setPassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
  deletePassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
};

const secretService = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
// In CI the keychain suite must run (CI starts gnome-keyring in a D-Bus session); elsewhere,
// without a session bus, there is no Secret Service to talk to.
const keychainSuite = secretService || process.env.CI ? describe : describe.skip;

keychainSuite('keychain through keytar (real Secret Service: gnome-keyring in a D-Bus session)', () => {
  it('round-trips the refresh token through the OS keychain and never writes it to settings', async () => {
    const keytar = await loadKeytar();
    expect(keytar, 'keytar native module').not.toBeNull();
    const service = `Siberia Mix test ${process.pid}`;
    const { v, onDisk, events } = vault(keytar, fakeSafeStorage(), service);
    expect(await v.mode()).toBe('keychain');
    expect(await v.save('refresh-token-value-1')).toBe('keychain');
    expect(await v.load()).toBe('refresh-token-value-1');
    expect(await keytar?.getPassword(service, 'refresh-token')).toBe('refresh-token-value-1');
    expect(onDisk()).not.toContain('refresh-token-value');
    await v.clear();
    expect(await v.load()).toBeNull();
    expect(await keytar?.getPassword(service, 'refresh-token')).toBeNull();
    expect(events.events).toEqual([]);
  });
});

describe('fallbacks', () => {
  it('where no keychain answers, encrypts with safeStorage into the settings', async () => {
    const { v, onDisk, events } = vault(deadKeychain, fakeSafeStorage());
    expect(await v.save('refresh-token-value-2')).toBe('encrypted');
    expect(await v.mode()).toBe('encrypted');
    expect(onDisk()).toContain('credentials');
    expect(onDisk()).not.toContain('refresh-token-value');
    expect(await v.load()).toBe('refresh-token-value-2');
    await v.clear();
    expect(await v.load()).toBeNull();
    expect(onDisk()).not.toContain('refreshToken');
    expect(events.events).toEqual([]);
  });

  it("with safeStorage's basic_text backend, keeps the token for this session only and tells the user once", async () => {
    const { v, onDisk, events } = vault(null, fakeSafeStorage('basic_text'));
    expect(await v.save('refresh-token-value-3')).toBe('session');
    await v.save('refresh-token-value-4');
    expect(await v.load()).toBe('refresh-token-value-4');
    expect(onDisk()).not.toContain('refresh-token-value');
    expect(onDisk()).not.toContain('credentials');
    expect(events.of('notice')).toEqual([
      expect.objectContaining({ level: 'warning', code: 'credentials_session_only' }),
    ]);
  });

  it('without any encryption, session only as well', async () => {
    const { v } = vault(null, fakeSafeStorage('gnome_libsecret', false));
    expect(await v.save('refresh-token-value-5')).toBe('session');
    expect(await v.mode()).toBe('session');
  });

  it('forgets a stored token that cannot be decrypted (another key), and refuses a malformed one', async () => {
    const { v, settings } = vault(null, fakeSafeStorage());
    await v.save('refresh-token-value-6');
    const other = new CredentialVault({
      keychain: null,
      safeStorage: fakeSafeStorage(),
      settings,
      emit: () => {},
      logger: silentLogger,
    });
    expect(await other.load()).toBeNull();
    expect(await v.load()).toBeNull();
    await expect(v.save('')).rejects.toThrow();
  });
});
