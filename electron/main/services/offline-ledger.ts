import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { OfflineUse } from '../../../contracts/api';
import { UsageKind } from '../../../contracts/plan';
import type { Settings } from './settings';

const Entry = z.object({
  use: OfflineUse,
  /** iat of the entitlement token whose allowance this use drew on. */
  tokenIat: z.number().int(),
  reported: z.boolean(),
});
type Entry = z.infer<typeof Entry>;
const KEY = 'offline.uses';

/**
 * Uses made while the server could not be reached: counted against the allowance of the token they
 * drew on, kept on disk until the server has answered for each of them.
 */
export class OfflineLedger {
  constructor(private readonly settings: Settings) {}

  private entries(): Entry[] {
    return this.settings.get(KEY, z.array(Entry)) ?? [];
  }
  private write(entries: Entry[]): void {
    this.settings.set(KEY, entries);
  }

  record(kind: UsageKind, deviceId: string, tokenIat: number, atMs: number): OfflineUse {
    const use: OfflineUse = {
      id: `offline_${randomUUID().replaceAll('-', '')}`,
      kind: UsageKind.parse(kind),
      at: new Date(atMs).toISOString(),
      deviceId,
    };
    this.write([...this.entries(), { use, tokenIat, reported: false }]);
    return use;
  }

  /** Uses drawn on the allowance of the token issued at tokenIat. */
  countFor(kind: UsageKind, tokenIat: number): number {
    return this.entries().filter((e) => e.use.kind === kind && e.tokenIat === tokenIat).length;
  }

  unreported(): OfflineUse[] {
    return this.entries()
      .filter((e) => !e.reported)
      .map((e) => e.use);
  }

  /** The server has answered for these ids (accepted or refused): never send them again. */
  markReported(ids: readonly string[]): void {
    const done = new Set(ids);
    this.write(this.entries().map((e) => (done.has(e.use.id) ? { ...e, reported: true } : e)));
  }

  /** A newer token's allowance already accounts for reported uses; older entries can go. */
  prune(currentTokenIat: number): void {
    this.write(this.entries().filter((e) => !e.reported || e.tokenIat >= currentTokenIat));
  }
}
