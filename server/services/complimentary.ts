import type { Db } from '../db/connect';
import type { CustomerSync } from './customer-sync';

/**
 * Complimentary Pro: an operator gives a musician Pro until a date (`npm run admin -- comp`). While
 * it lasts a sync keeps Pro (domain/plan-rule withComplimentary); once it has passed, the plan goes
 * back to what Stripe says (a sync) or to Free for someone who never paid.
 */
export class Complimentary {
  constructor(private readonly deps: { db: Db; sync: CustomerSync | null; now: () => Date }) {}

  /** Pro until `until` (null: ends it now). Never lowers a paid or studio plan. */
  async give(userId: string, until: Date | null): Promise<void> {
    const now = this.deps.now();
    await this.deps.db
      .updateTable('users')
      .set({ comp_pro_until: until?.toISOString() ?? null, updated_at: now.toISOString() })
      .where('id', '=', userId)
      .execute();
    if (until && until > now)
      await this.deps.db
        .updateTable('users')
        .set({ plan: 'pro', plan_reason: 'complimentary' })
        .where('id', '=', userId)
        .where('plan', '=', 'free')
        .execute();
    else await this.expire();
  }

  /** Ends what has run out; returns how many musicians it concerned. */
  async expire(): Promise<number> {
    const now = this.deps.now().toISOString();
    const ended = await this.deps.db
      .selectFrom('users')
      .select(['id', 'stripe_customer_id'])
      .where('plan_reason', '=', 'complimentary')
      .where((eb) => eb.or([eb('comp_pro_until', 'is', null), eb('comp_pro_until', '<=', now)]))
      .execute();
    for (const user of ended) {
      await this.deps.db
        .updateTable('users')
        .set({ comp_pro_until: null, updated_at: now })
        .where('id', '=', user.id)
        .execute();
      // Someone who also pays stays Pro by Stripe's word; anyone else is Free.
      if (user.stripe_customer_id && this.deps.sync) await this.deps.sync.sync(user.stripe_customer_id);
      else
        await this.deps.db
          .updateTable('users')
          .set({ plan: 'free', plan_reason: 'no_subscription' })
          .where('id', '=', user.id)
          .where('plan_reason', '=', 'complimentary')
          .execute();
    }
    return ended.length;
  }
}
