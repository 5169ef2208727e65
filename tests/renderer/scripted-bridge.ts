import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePageScript } from '../support/page-script';
import type { InvoiceSummary, PlanPrice } from '../../contracts/api';
import type {
  AccountState,
  AppInfo,
  Autosave,
  CheckoutStatus,
  EntitlementState,
} from '../../contracts/bridge';
import type { Feature } from '../../contracts/plan';
import type { ProjectFile } from '../../contracts/project';
import type { Refusal } from '../../contracts/refusal';

/** What the scripted bridge answers from; tests change it through `window.__scripted.state`. */
export type ScriptedState = {
  info: AppInfo;
  account: AccountState;
  credentials: { email: string; password: string };
  entitlements: EntitlementState;
  checkout: CheckoutStatus;
  prices: PlanPrice[];
  plansError: boolean;
  /**
   * Refusals main would give that the page cannot reach by itself (a month of use, days offline);
   * a feature not listed follows main's rule on the account and the plan's features.
   */
  refusals: Partial<Record<Feature, Refusal>>;
  restore: Autosave | null;
  /** The musician's invoices as the server lists them, newest first (pages of two). */
  invoices: InvoiceSummary[];
  /** What "Open…" answers (null: the musician closed the dialog). */
  openProject: ProjectFile | null;
  autosaved: ProjectFile | null;
  saved: { name: string; bytes: number; base64?: string }[];
  /** How long main takes to write each piece of a render (a slow disk), ms; none when absent. */
  writeDelayMs?: number;
  /**
   * Whether a saved render's bytes are kept (in `saved`, base64) for the tests to read back. Off, the
   * bridge only counts them, as a benchmark of the page's memory needs: main keeps nothing in the page.
   */
  keepRenders: boolean;
};

const inAMonth = () => new Date(Date.UTC(2026, 11, 1)).toISOString();

export const FREE: EntitlementState = {
  plan: 'free',
  features: [],
  source: 'server',
  status: null,
  interval: null,
  periodEnd: null,
  cancelAtPeriodEnd: false,
  usage: null,
  offline: null,
  online: true,
  attention: null,
};

export function proEntitlements(used = 5): EntitlementState {
  return {
    plan: 'pro',
    features: ['export', 'master', 'project_save'],
    source: 'server',
    status: 'active',
    interval: 'month',
    periodEnd: inAMonth(),
    cancelAtPeriodEnd: false,
    usage: {
      period: '2026-11',
      exports: { used, limit: 500 },
      masters: { used: 1, limit: 100 },
      resetAt: inAMonth(),
    },
    offline: { until: inAMonth(), exportsLeft: 20, mastersLeft: 5 },
    online: true,
    attention: null,
  };
}

/** The two Pro prices as the server reports them from Stripe (9.99 € a month, 99.99 € a year). */
export const PRICES: PlanPrice[] = [
  {
    id: 'price_monthly',
    interval: 'month',
    unitAmount: 999,
    currency: 'eur',
    productName: 'Siberia Mix Pro',
    taxBehavior: 'inclusive',
  },
  {
    id: 'price_annual',
    interval: 'year',
    unitAmount: 9999,
    currency: 'eur',
    productName: 'Siberia Mix Pro',
    taxBehavior: 'inclusive',
  },
];

export function scriptedState(patch: Partial<ScriptedState> = {}): ScriptedState {
  return {
    info: {
      version: '0.1.0',
      platform: 'linux',
      serverUrl: 'http://127.0.0.1:8787',
      locale: 'en',
      deviceId: 'dev-test-0001',
    },
    account: { status: 'signed_out' },
    credentials: { email: 'ana@example.com', password: 'correct horse battery' },
    entitlements: FREE,
    checkout: { phase: 'idle', priceId: null, startedAt: null },
    prices: PRICES,
    plansError: false,
    refusals: {},
    restore: null,
    invoices: [],
    openProject: null,
    autosaved: null,
    saved: [],
    keepRenders: true,
    ...patch,
  };
}

export function signedIn(email = 'ana@example.com'): AccountState {
  return {
    status: 'signed_in',
    user: { id: 'usr_scripted', email, plan: 'free', createdAt: '2026-01-05T10:00:00.000Z' },
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The page-side bridge, bundled once per test process. */
export function scriptedBridgeScript(): Promise<string> {
  return bundlePageScript(path.join(here, 'scripted-bridge.page.ts'));
}
