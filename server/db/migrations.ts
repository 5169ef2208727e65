import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/**
 * Versioned, forward-only migrations, run at start-up. Never edit one that has shipped: add the next.
 * The same definitions serve SQLite and PostgreSQL.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) =>
          c.notNull().defaultTo('free').check(sql`plan in ('free', 'pro', 'studio')`),
        )
        .addColumn('stripe_customer_id', 'text', (c) => c.unique())
        .addColumn('stripe_subscription_id', 'text')
        .addColumn('subscription_status', 'text')
        .addColumn('price_id', 'text')
        .addColumn('current_period_end', 'text')
        .addColumn('cancel_at_period_end', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('usage_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('export', 'master')`))
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('online', 'offline')`))
        .addColumn('grant_id', 'text')
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('usage_events_user_key', ['user_id', 'idempotency_key'])
        .execute();
      await db.schema
        .createIndex('usage_events_user_time')
        .on('usage_events')
        .columns(['user_id', 'occurred_at'])
        .execute();
      await db.schema
        .createTable('stripe_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('processed_at', 'text')
        .addColumn('outcome', 'text')
        .execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('rotated_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();
      await db.schema
        .createTable('devices')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('devices_pk', ['user_id', 'device_id'])
        .execute();
    },
  },
  '0002_login_failures': {
    // Failed logins live in the database so that throttling holds across server processes.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('login_failures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('login_failures_email')
        .on('login_failures')
        .columns(['email', 'at'])
        .execute();
      await db.schema
        .createIndex('login_failures_address')
        .on('login_failures')
        .columns(['address', 'at'])
        .execute();
    },
  },
  '0003_device_offline_allowance': {
    // The offline allowance of the last entitlement token each device received: offline uses
    // reported later are counted against it.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('devices').addColumn('allowance_issued_at', 'text').execute();
      await db.schema.alterTable('devices').addColumn('allowance_until', 'text').execute();
      await db.schema
        .alterTable('devices')
        .addColumn('allowance_exports', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('devices')
        .addColumn('allowance_masters', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0004_usage_count_index': {
    // Every /api/billing/me and every grant counts the month's uses by kind: with the kind in the
    // index the count reads the index alone instead of visiting each row.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('usage_events_user_time_kind')
        .on('usage_events')
        .columns(['user_id', 'occurred_at', 'kind'])
        .execute();
      await db.schema.dropIndex('usage_events_user_time').execute();
    },
  },
  '0005_money_truth': {
    // What a sync decided and why (for the operator), what the app must ask of the musician, and
    // when the row was last synced (an older sync never overwrites a newer one). Disputes, actions
    // taken on Stripe (surplus subscriptions), Checkout sessions this server created, and leases
    // so that one of several server processes reconciles at a time.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('plan_reason', 'text').execute();
      await db.schema.alterTable('users').addColumn('attention', 'text').execute();
      await db.schema.alterTable('users').addColumn('synced_at', 'text').execute();
      await db.schema.alterTable('stripe_events').addColumn('customer_id', 'text').execute();
      await db.schema.alterTable('stripe_events').addColumn('created', 'integer').execute();
      await db.schema
        .createIndex('stripe_events_unprocessed')
        .on('stripe_events')
        .columns(['processed_at', 'customer_id'])
        .execute();
      await db.schema
        .createTable('disputes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('charge_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('amount', 'integer', (c) => c.notNull())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('disputes_user').on('disputes').column('user_id').execute();
      await db.schema
        .createTable('billing_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('checkout_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('price_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('checkout_sessions_user')
        .on('checkout_sessions')
        .columns(['user_id', 'status'])
        .execute();
      await db.schema
        .createIndex('checkout_sessions_state')
        .on('checkout_sessions')
        .column('state')
        .execute();
      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('value', 'text')
        .execute();
    },
  },
  '0006_grant_reservations': {
    // A grant is a reservation until the work is delivered: its state, until when it holds its unit,
    // and when it was committed or released; rows made before are committed use. The bucket says
    // what a use counts against: Pro's calendar month or the Free plan's lifetime trial. Devices get
    // a name and a sign-out time (a signed-out device holds no place), and refresh tokens are found
    // by device to revoke them.
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('usage_events')
        .addColumn('state', 'text', (c) =>
          c.notNull().defaultTo('committed').check(sql`state in ('reserved', 'committed', 'released')`),
        )
        .execute();
      await db.schema.alterTable('usage_events').addColumn('expires_at', 'text').execute();
      await db.schema.alterTable('usage_events').addColumn('settled_at', 'text').execute();
      await db.schema
        .alterTable('usage_events')
        .addColumn('bucket', 'text', (c) =>
          c.notNull().defaultTo('month').check(sql`bucket in ('month', 'trial')`),
        )
        .execute();
      // Counting a month (or the trial) reads this index alone, reservations included.
      await db.schema
        .createIndex('usage_events_count')
        .on('usage_events')
        .columns(['user_id', 'bucket', 'occurred_at', 'kind', 'state', 'expires_at'])
        .execute();
      await db.schema.dropIndex('usage_events_user_time_kind').execute();
      await db.schema
        .createIndex('usage_events_grant')
        .on('usage_events')
        .column('grant_id')
        .unique()
        .execute();
      await db.schema.alterTable('devices').addColumn('name', 'text').execute();
      await db.schema.alterTable('devices').addColumn('signed_out_at', 'text').execute();
      await db.schema
        .createIndex('refresh_tokens_device')
        .on('refresh_tokens')
        .columns(['user_id', 'device_id'])
        .execute();
    },
  },
  '0007_operations': {
    // The entitlement signing keys, shared by every server process: the newest whose active_from
    // has passed signs; the others are published until the tokens they signed have expired.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('private_pem', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('active_from', 'text', (c) => c.notNull())
        .execute();
      // Complimentary Pro an operator gave, until this time (npm run admin -- comp).
      await db.schema.alterTable('users').addColumn('comp_pro_until', 'text').execute();
      // Password reset links: the hash of each single-use token, its user and its life.
      await db.schema
        .createTable('password_resets')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createIndex('password_resets_user')
        .on('password_resets')
        .columns(['user_id', 'created_at'])
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
