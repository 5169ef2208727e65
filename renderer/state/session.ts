import type { PlanPrice, ProQuotas } from '../../contracts/api';
import type {
  AccountState,
  AppInfo,
  BridgeError,
  CheckoutStatus,
  EntitlementState,
  Locale,
} from '../../contracts/bridge';
import type { AuthMode } from './auth-form';
import type { Refusal } from '../../contracts/refusal';

/** Which modal is open; one at a time, the pricing grid may be reached from any of them. */
export type Modal =
  | { type: 'pricing' }
  | { type: 'refusal'; refusal: Refusal }
  | { type: 'auth'; mode: AuthMode }
  | { type: 'settings' }
  | { type: 'invoices' }
  | { type: 'devices' }
  | null;

/**
 * A notice's one button beside Dismiss, as data the desk runs (see Toasts): lower the master by
 * `byDb` (`enough`: that is the whole fix), under the words of `label`.
 */
export type NoticeAction = { type: 'lowerMaster'; byDb: number; enough: boolean; label: string };

export type Notice = {
  id: number;
  level: 'info' | 'warning' | 'error';
  text: string;
  undo?: boolean;
  /** Stays until dismissed, whatever its level. */
  stays?: boolean;
  action?: NoticeAction;
};

/** Everything the desk knows about the account, the plan and the purchase: what main last said. */
export type SessionState = {
  info: AppInfo | null;
  locale: Locale;
  account: AccountState;
  entitlements: EntitlementState | null;
  checkout: CheckoutStatus;
  plans: {
    status: 'idle' | 'loading' | 'ready' | 'failed';
    prices: PlanPrice[];
    /** Pro's monthly quotas as the server counts them. */
    quotas: ProQuotas | null;
    error: BridgeError | null;
  };
  modal: Modal;
  /** Whether the checkout panel is shown (it stays after success until closed). */
  checkoutOpen: boolean;
  notices: Notice[];
  nextNoticeId: number;
};

export type SessionAction =
  | { type: 'info'; info: AppInfo }
  | { type: 'locale'; locale: Locale }
  | { type: 'account'; account: AccountState }
  | { type: 'entitlements'; entitlements: EntitlementState }
  | { type: 'checkout'; checkout: CheckoutStatus }
  | { type: 'plansLoading' }
  | { type: 'plansLoaded'; prices: PlanPrice[]; quotas: ProQuotas }
  | { type: 'plansFailed'; error: BridgeError }
  | { type: 'openModal'; modal: Modal }
  | { type: 'closeModal' }
  | { type: 'closeCheckout' }
  | {
      type: 'notify';
      level: Notice['level'];
      text: string;
      undo?: boolean;
      stays?: boolean;
      action?: NoticeAction;
    }
  | { type: 'dismiss'; id: number };

export const MAX_NOTICES = 4;

/**
 * How long a toast stays, in ms: an error, or one asked to stay, stays until dismissed (null); one
 * with Undo stays longer.
 */
export function toastLifetime(notice: Notice): number | null {
  if (notice.level === 'error' || notice.stays) return null;
  if (notice.undo) return 8000;
  return notice.level === 'warning' ? 7000 : 5000;
}

export function initialSession(locale: Locale = 'en'): SessionState {
  return {
    info: null,
    locale,
    account: { status: 'signed_out' },
    entitlements: null,
    checkout: { phase: 'idle', priceId: null, startedAt: null },
    plans: { status: 'idle', prices: [], quotas: null, error: null },
    modal: null,
    checkoutOpen: false,
    notices: [],
    nextNoticeId: 1,
  };
}

export function sessionReducer(state: SessionState, action: SessionAction): SessionState {
  switch (action.type) {
    case 'info':
      return { ...state, info: action.info, locale: action.info.locale };
    case 'locale':
      return state.locale === action.locale ? state : { ...state, locale: action.locale };
    case 'account': {
      // Signing in closes the sign-in form; signing out forgets the plan main no longer vouches for.
      const signedIn = action.account.status === 'signed_in';
      const modal = signedIn && state.modal?.type === 'auth' ? null : state.modal;
      return { ...state, account: action.account, modal };
    }
    case 'entitlements':
      return { ...state, entitlements: action.entitlements };
    case 'checkout': {
      const phase = action.checkout.phase;
      // A pending checkout replaces the pricing grid; every later phase keeps the panel up until closed.
      const modal = phase === 'pending' && state.modal?.type === 'pricing' ? null : state.modal;
      const checkoutOpen = phase !== 'idle';
      return { ...state, checkout: action.checkout, checkoutOpen, modal };
    }
    case 'plansLoading':
      return { ...state, plans: { ...state.plans, status: 'loading', error: null } };
    case 'plansLoaded':
      return {
        ...state,
        plans: { status: 'ready', prices: action.prices, quotas: action.quotas, error: null },
      };
    case 'plansFailed':
      return { ...state, plans: { ...state.plans, status: 'failed', error: action.error } };
    case 'openModal':
      return { ...state, modal: action.modal };
    case 'closeModal':
      return state.modal === null ? state : { ...state, modal: null };
    case 'closeCheckout':
      return { ...state, checkoutOpen: false };
    case 'notify': {
      // The same words already on screen are not said twice (a double click, two windows).
      if (state.notices.some((n) => n.text === action.text && n.level === action.level)) return state;
      const notice: Notice = { id: state.nextNoticeId, level: action.level, text: action.text };
      if (action.undo) notice.undo = true;
      if (action.stays) notice.stays = true;
      if (action.action) notice.action = action.action;
      return {
        ...state,
        notices: [...state.notices, notice].slice(-MAX_NOTICES),
        nextNoticeId: state.nextNoticeId + 1,
      };
    }
    case 'dismiss': {
      const notices = state.notices.filter((n) => n.id !== action.id);
      return notices.length === state.notices.length ? state : { ...state, notices };
    }
  }
}
