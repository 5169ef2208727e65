import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PublicUser } from '../../../contracts/api';
import { Locale } from '../../../contracts/bridge';
import { DeviceId } from '../../../contracts/tokens';
import type { KeyValueStore } from '../ports';

export const WindowBounds = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(16384),
  height: z.number().int().min(300).max(16384),
  maximized: z.boolean().default(false),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

const MAX_RECENT = 10;

/**
 * Typed settings over a key-value store. Each read is validated: a value edited by hand into
 * something invalid reads as the default instead of crashing the app.
 */
export class Settings {
  constructor(
    private readonly store: KeyValueStore,
    private readonly defaults: { serverUrl: string; locale?: Locale },
  ) {}

  private read<T extends z.ZodType>(key: string, schema: T): z.output<T> | undefined {
    const parsed = schema.safeParse(this.store.get(key));
    return parsed.success ? parsed.data : undefined;
  }

  /** A random id made on first run; the server binds tokens and allowances to it. */
  deviceId(): string {
    const existing = this.read('deviceId', DeviceId);
    if (existing) return existing;
    const id = `dev_${randomBytes(18).toString('base64url')}`;
    this.store.set('deviceId', id);
    return id;
  }

  serverUrl(): string {
    return this.read('serverUrl', z.url()) ?? this.defaults.serverUrl;
  }
  setServerUrl(url: string): void {
    this.store.set('serverUrl', z.url().parse(url));
  }

  locale(): Locale {
    return this.read('locale', Locale) ?? this.defaults.locale ?? 'en';
  }
  setLocale(locale: Locale): void {
    this.store.set('locale', Locale.parse(locale));
  }

  windowBounds(): WindowBounds | null {
    return this.read('windowBounds', WindowBounds) ?? null;
  }
  setWindowBounds(bounds: WindowBounds): void {
    this.store.set('windowBounds', WindowBounds.parse(bounds));
  }

  recentProjects(): string[] {
    return this.read('recentProjects', z.array(z.string().min(1)).max(MAX_RECENT)) ?? [];
  }
  addRecentProject(path: string): void {
    const next = [path, ...this.recentProjects().filter((p) => p !== path)].slice(0, MAX_RECENT);
    this.store.set('recentProjects', next);
  }

  /** A value some other service owns (cached token, offline ledger…), validated by its owner. */
  get<T extends z.ZodType>(key: string, schema: T): z.output<T> | undefined {
    return this.read(key, schema);
  }
  set(key: string, value: unknown): void {
    this.store.set(key, value);
  }
  delete(key: string): void {
    this.store.delete(key);
  }

  /** The last signed-in user, shown while the server cannot be reached. */
  cachedUser(): PublicUser | null {
    return this.read('account.user', PublicUser) ?? null;
  }
  setCachedUser(user: PublicUser | null): void {
    if (user) this.store.set('account.user', user);
    else this.store.delete('account.user');
  }
}
