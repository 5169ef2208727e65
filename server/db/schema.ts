import type { Generated } from 'kysely';

// Times are ISO-8601 UTC strings (they sort as text on both databases); flags are 0/1 integers,
// which SQLite and PostgreSQL store alike.

export type UsersTable = {
  id: string;
  email: string;
  password_hash: string;
  plan: 'free' | 'pro' | 'studio';
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  subscription_status: string | null;
  price_id: string | null;
  current_period_end: string | null;
  cancel_at_period_end: number;
  created_at: string;
  updated_at: string;
  /** Why the last sync decided the plan (domain/plan-rule's PlanReason), for the operator. */
  plan_reason?: string | null;
  /** JSON of what the app must ask of the musician (update the card, confirm a payment), or null. */
  attention?: string | null;
  /** When the sync that last wrote this row started. */
  synced_at?: string | null;
  /** Complimentary Pro given by an operator lasts until then (a sync keeps Pro meanwhile). */
  comp_pro_until?: string | null;
};

export type UsageEventsTable = {
  /** Made by the server (a random id), so both databases store it alike. */
  id: string;
  user_id: string;
  kind: 'export' | 'master';
  idempotency_key: string;
  device_id: string;
  source: 'online' | 'offline';
  grant_id: string | null;
  /** When the use happened (a reservation: when it was made); it counts in that month. */
  occurred_at: string;
  created_at: string;
  /** Only `committed` is use; `reserved` holds a unit until `expires_at`. Rows before 0006: committed. */
  state: Generated<'reserved' | 'committed' | 'released'>;
  expires_at?: string | null;
  settled_at?: string | null;
  /** What the use counts against: Pro's calendar month, or the Free plan's lifetime trial. */
  bucket: Generated<'month' | 'trial'>;
};

export type StripeEventsTable = {
  event_id: string;
  type: string;
  received_at: string;
  processed_at: string | null;
  outcome: string | null;
  /** The customer the event concerns, so a failed event's customer is reconciled first. */
  customer_id?: string | null;
  /** The event's `created` (Unix seconds): the catch-up from Stripe's event list starts after it. */
  created?: number | null;
};

export type DisputesTable = {
  id: string;
  user_id: string;
  charge_id: string;
  /** Stripe's dispute status: needs_response, under_review, won, lost, … */
  status: string;
  amount: number;
  opened_at: string;
  updated_at: string;
};

/** What the server did on Stripe on its own (a surplus subscription cancelled and refunded). */
export type BillingActionsTable = {
  id: string;
  user_id: string;
  action: string;
  object_id: string;
  detail: string;
  at: string;
};

/** Checkout sessions this server created: reused for the same price, expired once one completes. */
export type CheckoutSessionsTable = {
  id: string;
  user_id: string;
  price_id: string;
  state: string;
  url: string;
  status: 'open' | 'complete' | 'expired';
  created_at: string;
  expires_at: string;
};

/** A named lease (one reconciler at a time across processes) and a small value it keeps. */
export type LeasesTable = {
  name: string;
  holder: string;
  expires_at: string;
  value: string | null;
};

export type RefreshTokensTable = {
  token_hash: string;
  user_id: string;
  family_id: string;
  device_id: string | null;
  created_at: string;
  expires_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
};

export type DevicesTable = {
  user_id: string;
  device_id: string;
  first_seen_at: string;
  last_seen_at: string;
  allowance_issued_at: string | null;
  allowance_until: string | null;
  allowance_exports: number;
  allowance_masters: number;
  /** What the musician calls it, from the app. */
  name?: string | null;
  /** Signed out from the device list: it holds no place until it signs in again. */
  signed_out_at?: string | null;
};

export type LoginFailuresTable = {
  id: string;
  email: string;
  address: string;
  at: string;
};

/** An Ed25519 entitlement signing key (PKCS#8 PEM); kid is its public key's thumbprint. */
export type SigningKeysTable = {
  kid: string;
  private_pem: string;
  created_at: string;
  /** From when it signs; published from its creation, so that every verifier knows it first. */
  active_from: string;
};

/** A password reset link: only the hash of its token is kept. */
export type PasswordResetsTable = {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
};

export type Database = {
  signing_keys: SigningKeysTable;
  password_resets: PasswordResetsTable;
  login_failures: LoginFailuresTable;
  users: UsersTable;
  usage_events: UsageEventsTable;
  stripe_events: StripeEventsTable;
  refresh_tokens: RefreshTokensTable;
  devices: DevicesTable;
  disputes: DisputesTable;
  billing_actions: BillingActionsTable;
  checkout_sessions: CheckoutSessionsTable;
  leases: LeasesTable;
};
