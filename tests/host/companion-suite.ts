// One companion server per test file of main's services, and main signed in against it.
import { afterAll, beforeAll } from 'vitest';
import { type Companion, startCompanion } from './companion';
import { type MainUnderTest, type mainUnderTest, signedInMain } from './main-under-test';

export type CompanionSuite = {
  readonly companion: Companion;
  signedIn(plan: 'free' | 'pro', opts?: Parameters<typeof mainUnderTest>[1]): Promise<MainUnderTest>;
  /** The signed-in musician's exports as the server's rows say: committed (used) and reserved. */
  serverExports(t: MainUnderTest): Promise<{ used: number; reserved: number }>;
};

/** Starts the companion before the file's tests (with these server settings) and closes it after. */
export function companionSuite(env: Record<string, string> = {}): CompanionSuite {
  let companion: Companion | null = null;
  beforeAll(async () => {
    companion = await startCompanion(env);
  });
  afterAll(async () => {
    await companion?.close();
  });
  const started = (): Companion => {
    if (!companion) throw new Error('the companion starts in beforeAll');
    return companion;
  };
  return {
    get companion() {
      return started();
    },
    signedIn: (plan, opts = {}) => signedInMain(started(), plan, opts),
    async serverExports(t) {
      const state = t.main.account.state();
      if (state.status !== 'signed_in') throw new Error('not signed in');
      const rows = await started()
        .database.db.selectFrom('usage_events')
        .select(['state'])
        .where('user_id', '=', state.user.id)
        .where('kind', '=', 'export')
        .execute();
      return {
        used: rows.filter((r) => r.state === 'committed').length,
        reserved: rows.filter((r) => r.state === 'reserved').length,
      };
    },
  };
}
