import { z } from 'zod';
import { BillingAttention, BillingInterval, Plan, SubscriptionStatus, Usage, UsageKind } from './plan';
import { DeviceId, Jwks } from './tokens';

// ---------- shared pieces ----------

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'a valid email address' }))
  .transform((e) => e.toLowerCase());
export const Password = z
  .string()
  .min(10, 'at least 10 characters')
  .max(128, 'at most 128 characters')
  .regex(/\S/, 'not only spaces');
/** Opaque value the app invents per checkout and finds again in the deep link. */
export const CheckoutState = z
  .string()
  .min(16)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'state: letters, digits, - and _ only');
export const IdempotencyKey = z
  .string()
  .min(8)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'idempotency key: printable ASCII without spaces');
const isoTime = z.iso.datetime();

export const PublicUser = z.object({
  id: z.string().min(1),
  email: z.string(),
  plan: Plan,
  createdAt: isoTime,
});
export type PublicUser = z.infer<typeof PublicUser>;

// ---------- accounts ----------

export const Credentials = z.object({ email: Email, password: Password });
export type Credentials = z.input<typeof Credentials>;
/**
 * The device signing in, when the app says: its refresh tokens are bound to it, so that signing the
 * device out (POST /api/devices/sign-out) revokes them, and a device signed out may sign in again.
 */
const SigningInDevice = z.object({ deviceId: DeviceId.optional() });
export const RegisterRequest = Credentials.extend(SigningInDevice.shape);
/** Login accepts any non-empty password so that a too-short one is just "wrong", not a hint. */
export const LoginRequest = z
  .object({ email: Email, password: z.string().min(1).max(128) })
  .extend(SigningInDevice.shape);
export const AuthResponse = z.object({
  user: PublicUser,
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** ISO time the access token stops working. */
  accessTokenExpiresAt: isoTime,
});
export type AuthResponse = z.infer<typeof AuthResponse>;
export const RefreshRequest = z.object({ refreshToken: z.string().min(1).max(512) });
export const LogoutRequest = z.object({ refreshToken: z.string().min(1).max(512).optional() });
export const OkResponse = z.object({ ok: z.literal(true) });
/** "Forgot password?": the answer is the same whether or not the email has an account. */
export const PasswordResetRequest = z.object({ email: Email });
/** The single-use token a reset link carries (base64url, as the server made it). */
export const PasswordResetToken = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, 'a reset link token');
/** What the reset page's form posts: the link's token and the new password. */
export const PasswordResetForm = z.object({ token: PasswordResetToken, password: Password });
export const MeResponse = z.object({ user: PublicUser });

// ---------- billing ----------

export const PlanPrice = z.object({
  id: z.string().min(1),
  interval: BillingInterval,
  /** In the currency's smallest unit (cents). */
  unitAmount: z.number().int().min(0),
  currency: z.string().length(3),
  productName: z.string(),
  /** Whether the amount includes VAT (EU consumer prices do), excludes it, or Stripe was not told. */
  taxBehavior: z.enum(['inclusive', 'exclusive', 'unspecified']),
});
export type PlanPrice = z.infer<typeof PlanPrice>;
/** Pro's monthly quotas as this server counts them (PRO_EXPORTS_PER_MONTH, PRO_MASTERS_PER_MONTH). */
export const ProQuotas = z.object({
  exportsPerMonth: z.number().int().min(0),
  mastersPerMonth: z.number().int().min(0),
});
export type ProQuotas = z.infer<typeof ProQuotas>;
export const PlansResponse = z.object({ prices: z.array(PlanPrice), quotas: ProQuotas });
export type PlansResponse = z.infer<typeof PlansResponse>;

export const BillingMeResponse = z.object({
  plan: Plan,
  status: SubscriptionStatus.nullable(),
  interval: BillingInterval.nullable(),
  currentPeriodEnd: isoTime.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  exportsUsed: z.number().int().min(0),
  exportsLimit: z.number().int().min(0),
  mastersUsed: z.number().int().min(0),
  mastersLimit: z.number().int().min(0),
  /** Units held by live reservations (renders under way), apart from the use above. */
  exportsReserved: z.number().int().min(0),
  mastersReserved: z.number().int().min(0),
  quotaResetAt: isoTime,
  /** Null when nothing is asked of the musician (absent in what older servers sent). */
  attention: BillingAttention.nullable().default(null),
});
export type BillingMeResponse = z.infer<typeof BillingMeResponse>;

export const CheckoutRequest = z.object({ priceId: z.string().min(1).max(255), state: CheckoutState });
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;
export const UrlResponse = z.object({ url: z.url() });
/** The Checkout page, and the state it will come back with: the caller's, or a reused session's. */
export const CheckoutResponse = z.object({ url: z.url(), state: CheckoutState });
export type CheckoutResponse = z.infer<typeof CheckoutResponse>;
export type UrlResponse = z.infer<typeof UrlResponse>;

/** One of the musician's invoices, as Stripe keeps it (amounts in the currency's smallest unit). */
export const InvoiceSummary = z.object({
  id: z.string().min(1),
  number: z.string().nullable(),
  createdAt: isoTime,
  total: z.number().int(),
  /** The VAT (or other tax) in `total`. */
  tax: z.number().int().min(0),
  currency: z.string().length(3),
  status: z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']),
  hostedInvoiceUrl: z.url().nullable(),
  pdfUrl: z.url().nullable(),
});
export type InvoiceSummary = z.infer<typeof InvoiceSummary>;
/** `?limit=&after=`: newest first, a page at a time; `after` is the last id of the previous page. */
export const InvoicesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z
    .string()
    .regex(/^in_[A-Za-z0-9]+$/, 'after: an invoice id')
    .optional(),
});
export const InvoicesResponse = z.object({
  invoices: z.array(InvoiceSummary),
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type InvoicesResponse = z.infer<typeof InvoicesResponse>;

// ---------- entitlements and usage ----------

export const EntitlementTokenRequest = z.object({
  deviceId: DeviceId,
  /** How the musician knows this device in the device list ("Ada's MacBook"); kept from the last token. */
  deviceName: z.string().trim().min(1).max(64).optional(),
});
export const EntitlementTokenResponse = z.object({ token: z.string().min(1) });

/** A device holding a place: it holds an entitlement token that has not expired and was not signed out. */
export const DeviceInfo = z.object({
  deviceId: DeviceId,
  name: z.string().nullable(),
  firstSeenAt: isoTime,
  lastSeenAt: isoTime,
  /** When its last entitlement token (and so its place, unless renewed) runs out. */
  tokenExpiresAt: isoTime,
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;
/** The devices holding a place, and how many places an account has (MAX_DEVICES_PER_USER). */
export const DevicesResponse = z.object({ devices: z.array(DeviceInfo), limit: z.number().int().min(1) });
export type DevicesResponse = z.infer<typeof DevicesResponse>;
export const DeviceSignOutRequest = z.object({ deviceId: DeviceId });

export const UsageGrantRequest = z.object({
  kind: UsageKind,
  idempotencyKey: IdempotencyKey,
  deviceId: DeviceId,
});
export type UsageGrantRequest = z.infer<typeof UsageGrantRequest>;
/** A reservation: the signed grant (its `exp` is when the reservation lapses) and the usage with it held. */
export const UsageGrantResponse = z.object({ grant: z.string().min(1), usage: Usage });
export type UsageGrantResponse = z.infer<typeof UsageGrantResponse>;
/** A grant the server signed, handed back to commit, release or renew its reservation. */
export const GrantRequest = z.object({ grant: z.string().min(1).max(4096) });
export type GrantRequest = z.infer<typeof GrantRequest>;
export const UsageResponse = z.object({ usage: Usage });
export type UsageResponse = z.infer<typeof UsageResponse>;

export const OfflineUse = z.object({
  /** Made by the app once per use; the server counts each id once. */
  id: IdempotencyKey,
  kind: UsageKind,
  at: isoTime,
  deviceId: DeviceId,
});
export type OfflineUse = z.infer<typeof OfflineUse>;
export const OfflineUsageRequest = z.object({ uses: z.array(OfflineUse).min(1).max(1000) });
export const OfflineUsageResponse = z.object({
  accepted: z.array(z.string()),
  refused: z.array(
    z.object({
      id: z.string(),
      /** `quota_exceeded`: counting it would take the month past its quota. */
      reason: z.enum(['offline_allowance_exceeded', 'quota_exceeded', 'upgrade_required', 'invalid']),
    }),
  ),
  usage: Usage,
});
export type OfflineUsageResponse = z.infer<typeof OfflineUsageResponse>;

// ---------- health ----------

export const HealthResponse = z.object({ status: z.literal('ok') });
export const ReadyResponse = z.object({ status: z.enum(['ready', 'unavailable']), database: z.boolean() });

// ---------- the route table ----------

/** One route: `auth` says whether it answers only with a valid access token (the server enforces it). */
export type ApiRoute = {
  method: 'GET' | 'POST';
  path: string;
  auth: boolean;
  request: z.ZodType | null;
  response: z.ZodType;
};

/** Every HTTP route of the companion server. Paths are relative to the server's base URL. */
export const api = {
  healthz: { method: 'GET', path: '/healthz', auth: false, request: null, response: HealthResponse },
  readyz: { method: 'GET', path: '/readyz', auth: false, request: null, response: ReadyResponse },
  jwks: { method: 'GET', path: '/.well-known/jwks.json', auth: false, request: null, response: Jwks },
  register: {
    method: 'POST',
    path: '/api/auth/register',
    auth: false,
    request: RegisterRequest,
    response: AuthResponse,
  },
  login: {
    method: 'POST',
    path: '/api/auth/login',
    auth: false,
    request: LoginRequest,
    response: AuthResponse,
  },
  refresh: {
    method: 'POST',
    path: '/api/auth/refresh',
    auth: false,
    request: RefreshRequest,
    response: AuthResponse,
  },
  logout: {
    method: 'POST',
    path: '/api/auth/logout',
    auth: true,
    request: LogoutRequest,
    response: OkResponse,
  },
  passwordReset: {
    method: 'POST',
    path: '/api/auth/password-reset',
    auth: false,
    request: PasswordResetRequest,
    response: OkResponse,
  },
  me: { method: 'GET', path: '/api/me', auth: true, request: null, response: MeResponse },
  plans: { method: 'GET', path: '/api/billing/plans', auth: false, request: null, response: PlansResponse },
  billingMe: {
    method: 'GET',
    path: '/api/billing/me',
    auth: true,
    request: null,
    response: BillingMeResponse,
  },
  checkout: {
    method: 'POST',
    path: '/api/billing/checkout',
    auth: true,
    request: CheckoutRequest,
    response: CheckoutResponse,
  },
  portal: { method: 'POST', path: '/api/billing/portal', auth: true, request: null, response: UrlResponse },
  invoices: {
    method: 'GET',
    path: '/api/billing/invoices',
    auth: true,
    // A GET route's request is its query string.
    request: InvoicesQuery,
    response: InvoicesResponse,
  },
  entitlementToken: {
    method: 'POST',
    path: '/api/entitlements/token',
    auth: true,
    request: EntitlementTokenRequest,
    response: EntitlementTokenResponse,
  },
  devices: { method: 'GET', path: '/api/devices', auth: true, request: null, response: DevicesResponse },
  /** Frees the device's place and revokes its refresh tokens; it may sign in again later. */
  deviceSignOut: {
    method: 'POST',
    path: '/api/devices/sign-out',
    auth: true,
    request: DeviceSignOutRequest,
    response: OkResponse,
  },
  /**
   * Reserves one unit for GRANT_TTL_SECONDS: refused (402) before any work when the limit is
   * reached, reservations included. The same idempotency key gives back the same reservation.
   */
  usageGrant: {
    method: 'POST',
    path: '/api/usage/grants',
    auth: true,
    request: UsageGrantRequest,
    response: UsageGrantResponse,
  },
  /** Turns the reservation into use, once the work is delivered; the same grant twice counts once. */
  usageGrantCommit: {
    method: 'POST',
    path: '/api/usage/grants/commit',
    auth: true,
    request: GrantRequest,
    response: UsageResponse,
  },
  /** Frees the reservation (cancelled or failed work); idempotent; a committed grant answers 409. */
  usageGrantRelease: {
    method: 'POST',
    path: '/api/usage/grants/release',
    auth: true,
    request: GrantRequest,
    response: UsageResponse,
  },
  /** Extends a reservation whose work outlives it: a fresh grant, same id, a new expiry. */
  usageGrantRenew: {
    method: 'POST',
    path: '/api/usage/grants/renew',
    auth: true,
    request: GrantRequest,
    response: UsageGrantResponse,
  },
  usageOffline: {
    method: 'POST',
    path: '/api/usage/offline',
    auth: true,
    request: OfflineUsageRequest,
    response: OfflineUsageResponse,
  },
} as const satisfies Record<string, ApiRoute>;
export type Api = typeof api;
export type RouteName = keyof Api;
export type RouteRequest<R extends RouteName> = Api[R]['request'] extends z.ZodType
  ? z.input<Api[R]['request']>
  : undefined;
export type RouteResponse<R extends RouteName> = z.infer<Api[R]['response']>;

/** Pages and endpoints that are not JSON API routes. */
export const paths = {
  webhook: '/api/webhooks/stripe',
  checkoutReturn: '/checkout/return',
  portalReturn: '/portal/return',
  /** The page a password reset link opens (GET) and whose form sets the new password (POST). */
  resetPassword: '/reset-password',
  /** Prometheus text, for the operator (METRICS_PORT / METRICS_TOKEN); not the app's. */
  metrics: '/metrics',
} as const;
