import { z } from 'zod';
import type { EventSink, Logger } from '../ports';
import type { Settings } from './settings';

/** keytar's API, as far as we use it. */
export type KeychainPort = {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
};

/** Electron's safeStorage, as far as we use it: its asynchronous API (the synchronous one is deprecated). */
export type SafeStoragePort = {
  isEncryptionAvailable(): Promise<boolean>;
  encryptString(plain: string): Promise<Buffer>;
  decryptString(encrypted: Buffer): Promise<string>;
  /** Linux only: 'basic_text' means a hard-coded key, i.e. no real protection. */
  getSelectedStorageBackend?(): string;
};

export type CredentialMode = 'keychain' | 'encrypted' | 'session';

const SERVICE = 'Siberia Mix';
const ACCOUNT = 'refresh-token';
const ENCRYPTED_KEY = 'credentials.refreshToken';

/**
 * Where the refresh token lives: the OS keychain (keytar); where no keychain answers, safeStorage
 * encrypting into the settings; where safeStorage would only obfuscate (`basic_text`), nowhere on
 * disk — the token is kept for this session and the user is told why they will sign in again.
 */
export class CredentialVault {
  private keychainBroken = false;
  private sessionToken: string | null = null;
  private noticeSent = false;

  constructor(
    private readonly ports: {
      keychain: KeychainPort | null;
      safeStorage: SafeStoragePort | null;
      settings: Settings;
      emit: EventSink;
      logger: Logger;
      service?: string;
    },
  ) {}

  private get service(): string {
    return this.ports.service ?? SERVICE;
  }

  private async canEncrypt(): Promise<boolean> {
    const s = this.ports.safeStorage;
    if (!s || !(await s.isEncryptionAvailable())) return false;
    return s.getSelectedStorageBackend?.() !== 'basic_text';
  }

  /** Where a token saved now would go. */
  async mode(): Promise<CredentialMode> {
    if (this.ports.keychain && !this.keychainBroken) return 'keychain';
    return (await this.canEncrypt()) ? 'encrypted' : 'session';
  }

  private keychainFailed(e: unknown): void {
    this.keychainBroken = true;
    this.ports.logger.warn('keychain unavailable, falling back', { error: (e as Error).message });
  }

  async save(token: string): Promise<CredentialMode> {
    z.string().min(1).max(512).parse(token);
    const { keychain } = this.ports;
    if (keychain && !this.keychainBroken) {
      try {
        await keychain.setPassword(this.service, ACCOUNT, token);
        this.sessionToken = null;
        return 'keychain';
      } catch (e) {
        this.keychainFailed(e);
      }
    }
    if (await this.canEncrypt()) {
      const blob = (await (this.ports.safeStorage as SafeStoragePort).encryptString(token)).toString(
        'base64',
      );
      this.ports.settings.set(ENCRYPTED_KEY, blob);
      this.sessionToken = null;
      return 'encrypted';
    }
    this.sessionToken = token;
    this.ports.settings.delete(ENCRYPTED_KEY);
    if (!this.noticeSent) {
      this.noticeSent = true;
      this.ports.emit('notice', {
        level: 'warning',
        code: 'credentials_session_only',
        message:
          'No secure storage is available on this system, so you will stay signed in only until Siberia Mix closes.',
      });
    }
    return 'session';
  }

  async load(): Promise<string | null> {
    if (this.sessionToken) return this.sessionToken;
    const { keychain } = this.ports;
    if (keychain && !this.keychainBroken) {
      try {
        const token = await keychain.getPassword(this.service, ACCOUNT);
        if (token) return token;
      } catch (e) {
        this.keychainFailed(e);
      }
    }
    const blob = this.ports.settings.get(ENCRYPTED_KEY, z.string().min(1));
    if (blob && (await this.canEncrypt())) {
      try {
        return await (this.ports.safeStorage as SafeStoragePort).decryptString(Buffer.from(blob, 'base64'));
      } catch (e) {
        // Encrypted under another OS user or key: useless, so forget it.
        this.ports.logger.warn('stored credentials cannot be decrypted', { error: (e as Error).message });
        this.ports.settings.delete(ENCRYPTED_KEY);
      }
    }
    return null;
  }

  async clear(): Promise<void> {
    this.sessionToken = null;
    this.ports.settings.delete(ENCRYPTED_KEY);
    const { keychain } = this.ports;
    if (keychain && !this.keychainBroken) {
      try {
        await keychain.deletePassword(this.service, ACCOUNT);
      } catch (e) {
        this.keychainFailed(e);
      }
    }
  }
}
