import type { PlanPrice } from '../../contracts/api';
import type {
  AuthorizeResult,
  BridgeError,
  CheckoutStatus,
  EntitlementState,
  Locale,
} from '../../contracts/bridge';
import type { Feature, RefusalReason, UsageKind } from '../../contracts/plan';
import { formatDate, formatMoney, type MessageKey, type Params } from '../i18n';

/** A line of text to show: a catalogue key and its values, so the words stay in the catalogues. */
export type Text = { key: MessageKey; params?: Params };

// ---------- refusals ----------

export type RefusalAction = 'pricing' | 'signIn' | 'signUp' | 'retry';
export type Refusal = {
  reason: RefusalReason;
  kind: UsageKind | 'project_save';
  usage: { used: number; limit: number; resetAt: string } | null;
};
export type RefusalView = { title: Text; body: Text; actions: { action: RefusalAction; label: Text }[] };

/** What the refusal modal says and offers for each reason the gate gives. */
export function refusalView(refusal: Refusal, locale: Locale): RefusalView {
  switch (refusal.reason) {
    case 'upgrade_required':
      return {
        title: { key: 'refusal.upgrade_required.title' },
        body: { key: 'refusal.upgrade_required.body' },
        actions: [{ action: 'pricing', label: { key: 'refusal.goPro' } }],
      };
    case 'quota_exceeded': {
      const u = refusal.usage;
      const body: Text = u
        ? {
            key:
              refusal.kind === 'master'
                ? 'refusal.quota_exceeded.bodyMaster'
                : 'refusal.quota_exceeded.bodyExport',
            params: { used: u.used, limit: u.limit, date: formatDate(locale, u.resetAt) },
          }
        : { key: 'refusal.quota_exceeded.bodyPlain' };
      return {
        title: { key: 'refusal.quota_exceeded.title' },
        body,
        actions: [{ action: 'pricing', label: { key: 'refusal.seePlans' } }],
      };
    }
    case 'signed_out':
      return {
        title: { key: 'refusal.signed_out.title' },
        body: { key: 'refusal.signed_out.body' },
        actions: [
          { action: 'signIn', label: { key: 'refusal.signIn' } },
          { action: 'signUp', label: { key: 'refusal.signUp' } },
          { action: 'pricing', label: { key: 'refusal.seePlans' } },
        ],
      };
    case 'offline_expired':
      return {
        title: { key: 'refusal.offline_expired.title' },
        body: { key: 'refusal.offline_expired.body' },
        actions: [{ action: 'retry', label: { key: 'refusal.retry' } }],
      };
  }
}

/** The gate's answer to an export or a master, as a refusal to show (or null when granted). */
export function refusalFromAuthorize(kind: UsageKind, result: AuthorizeResult): Refusal | null {
  if (result.ok) return null;
  return { reason: result.reason, kind, usage: result.usage };
}

/**
 * Project save is judged on the entitlement state alone (no usage is counted): signed out, offline
 * beyond the allowance, or a plan without the feature each get their refusal.
 */
export function featureRefusal(
  feature: Feature,
  signedIn: boolean,
  entitlements: EntitlementState | null,
  now: Date,
): Refusal | null {
  const kind = feature === 'project_save' ? 'project_save' : feature;
  if (!signedIn) return { reason: 'signed_out', kind, usage: null };
  if (!entitlements?.features.includes(feature)) {
    return { reason: 'upgrade_required', kind, usage: null };
  }
  if (
    !entitlements.online &&
    entitlements.offline &&
    Date.parse(entitlements.offline.until) < now.getTime()
  ) {
    return { reason: 'offline_expired', kind, usage: null };
  }
  return null;
}

// ---------- pricing ----------

export type Interval = 'month' | 'year';
export type PriceView = {
  priceId: string;
  amount: string;
  perPeriod: Text;
  /** For the annual price: what a month costs, and the saving against twelve monthly payments. */
  monthlyEquivalent: Text | null;
  saving: Text | null;
};

/** Picks the Pro price of an interval; several products would be odd, so the first one wins. */
export function priceFor(prices: readonly PlanPrice[], interval: Interval): PlanPrice | null {
  return prices.find((p) => p.interval === interval) ?? null;
}

/** The annual saving in percent (whole) and minor units, when both prices share a currency. */
export function annualSaving(
  monthly: PlanPrice,
  annual: PlanPrice,
): { percent: number; amount: number } | null {
  if (monthly.currency.toLowerCase() !== annual.currency.toLowerCase()) return null;
  const twelve = monthly.unitAmount * 12;
  const amount = twelve - annual.unitAmount;
  if (twelve <= 0 || amount <= 0) return null;
  return { percent: Math.round((amount / twelve) * 100), amount };
}

export function priceView(
  prices: readonly PlanPrice[],
  interval: Interval,
  locale: Locale,
): PriceView | null {
  const price = priceFor(prices, interval);
  if (!price) return null;
  const amount = formatMoney(locale, price.unitAmount, price.currency);
  if (interval === 'month') {
    return {
      priceId: price.id,
      amount,
      perPeriod: { key: 'pricing.perMonth', params: { price: amount } },
      monthlyEquivalent: null,
      saving: null,
    };
  }
  const monthly = priceFor(prices, 'month');
  const saving = monthly ? annualSaving(monthly, price) : null;
  return {
    priceId: price.id,
    amount,
    perPeriod: { key: 'pricing.perYear', params: { price: amount } },
    monthlyEquivalent: {
      key: 'pricing.equivalent',
      params: { price: formatMoney(locale, Math.round(price.unitAmount / 12), price.currency) },
    },
    saving: saving
      ? {
          key: 'pricing.annualSaving',
          params: { percent: saving.percent, amount: formatMoney(locale, saving.amount, price.currency) },
        }
      : null,
  };
}

// ---------- checkout ----------

export type CheckoutAction = 'reopen' | 'refresh' | 'cancel' | 'close' | 'restart';
export type CheckoutView = {
  tone: 'waiting' | 'success' | 'calm' | 'warning';
  title: Text;
  body: Text;
  actions: { action: CheckoutAction; label: Text; primary?: boolean }[];
} | null;

/** The checkout panel for each phase main reports; idle shows nothing. */
export function checkoutView(status: CheckoutStatus): CheckoutView {
  switch (status.phase) {
    case 'idle':
      return null;
    case 'pending':
      return {
        tone: 'waiting',
        title: { key: 'checkout.pending.title' },
        body: { key: 'checkout.pending.body' },
        actions: [
          { action: 'reopen', label: { key: 'checkout.reopen' }, primary: true },
          { action: 'refresh', label: { key: 'checkout.refresh' } },
          { action: 'cancel', label: { key: 'checkout.cancel' } },
        ],
      };
    case 'success':
      return {
        tone: 'success',
        title: { key: 'checkout.success.title' },
        body: { key: 'checkout.success.body' },
        actions: [{ action: 'close', label: { key: 'checkout.close' }, primary: true }],
      };
    case 'cancelled':
      return {
        tone: 'calm',
        title: { key: 'checkout.cancelled.title' },
        body: { key: 'checkout.cancelled.body' },
        actions: [{ action: 'close', label: { key: 'checkout.close' }, primary: true }],
      };
    case 'unconfirmed':
      return {
        tone: 'warning',
        title: { key: 'checkout.unconfirmed.title' },
        body: { key: 'checkout.unconfirmed.body' },
        actions: [
          { action: 'refresh', label: { key: 'checkout.unconfirmedRefresh' }, primary: true },
          { action: 'close', label: { key: 'checkout.close' } },
        ],
      };
    case 'expired':
      return {
        tone: 'calm',
        title: { key: 'checkout.expired.title' },
        body: { key: 'checkout.expired.body' },
        actions: [
          { action: 'restart', label: { key: 'checkout.startAgain' }, primary: true },
          { action: 'close', label: { key: 'checkout.close' } },
        ],
      };
  }
}

// ---------- header ----------

export type UsageGauge = { text: Text; fraction: number; full: boolean };

/** "5 / 500 exports this month", shown when the plan has an export allowance. */
export function usageGauge(entitlements: EntitlementState | null): UsageGauge | null {
  const usage = entitlements?.usage;
  if (!usage || usage.exports.limit <= 0) return null;
  const { used, limit } = usage.exports;
  return {
    text: { key: 'header.usageExports', params: { used, limit } },
    fraction: Math.min(1, used / limit),
    full: used >= limit,
  };
}

export function isPro(entitlements: EntitlementState | null): boolean {
  return !!entitlements && entitlements.plan !== 'free' && entitlements.features.includes('export');
}

// ---------- errors ----------

const knownCodes = new Set<string>([
  'invalid_credentials',
  'email_taken',
  'rate_limited',
  'server_unreachable',
  'validation_error',
  'already_subscribed',
  'no_subscription',
  'stripe_unavailable',
  'unauthorized',
]);

/** A bridge error in plain words: the catalogue's sentence for codes we know, main's message otherwise. */
export function errorText(error: BridgeError): Text {
  if (knownCodes.has(error.code)) {
    return { key: `error.${error.code}` as MessageKey, params: { message: error.message } };
  }
  return { key: 'error.generic', params: { message: error.message } };
}
