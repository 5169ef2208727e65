import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** A Stripe object as kept here. Keys starting with `_` are the emulator's own and never leave it. */
export type StripeObject = { id: string; object: string; created: number; [key: string]: unknown };

type Saved = {
  version: 1;
  offsetSec: number;
  seq: number;
  objects: StripeObject[];
  idempotency: [string, IdempotentAnswer][];
};
export type IdempotentAnswer = { fingerprint: string; status: number; body: unknown; at: number };

const PREFIX: Record<string, string> = {
  customer: 'cus',
  product: 'prod',
  price: 'price',
  'checkout.session': 'cs_test',
  subscription: 'sub',
  subscription_item: 'si',
  invoice: 'in',
  'billing_portal.session': 'bps',
  webhook_endpoint: 'we',
  event: 'evt',
  'test_helpers.test_clock': 'clock',
  payment_method: 'pm',
  payment_intent: 'pi',
  charge: 'ch',
  invoice_payment: 'inpay',
  refund: 're',
  dispute: 'dp',
};

/** Every object by id, with the emulator's clock offset and the idempotency answers; optionally on disk. */
export class Store {
  private objects = new Map<string, StripeObject>();
  idempotency = new Map<string, IdempotentAnswer>();
  /** Seconds the emulator's global clock runs ahead of the machine's (advanceTime). */
  offsetSec = 0;
  private seq = 0;

  constructor(private readonly statePath?: string) {
    if (statePath && existsSync(statePath)) {
      const saved = readState(statePath);
      this.offsetSec = saved.offsetSec;
      this.seq = saved.seq;
      for (const o of saved.objects) this.objects.set(o.id, o);
      this.idempotency = new Map(saved.idempotency);
    }
  }

  newId(objectType: string): string {
    const prefix = PREFIX[objectType] ?? 'obj';
    return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
  }

  insert<T extends StripeObject>(obj: T): T {
    (obj as StripeObject)._seq = ++this.seq;
    this.objects.set(obj.id, obj);
    return obj;
  }

  get(id: string): StripeObject | undefined {
    return this.objects.get(id);
  }

  delete(id: string): void {
    this.objects.delete(id);
  }

  /** Objects of one type, newest first (Stripe's list order). */
  all(objectType: string): StripeObject[] {
    return [...this.objects.values()]
      .filter((o) => o.object === objectType)
      .sort((a, b) => b.created - a.created || (b._seq as number) - (a._seq as number));
  }

  clear(): void {
    this.objects.clear();
    this.idempotency.clear();
    this.offsetSec = 0;
    this.seq = 0;
  }

  /** Written atomically after every change, so a restart finds what was bought. */
  save(): void {
    if (!this.statePath) return;
    const saved: Saved = {
      version: 1,
      offsetSec: this.offsetSec,
      seq: this.seq,
      objects: [...this.objects.values()],
      idempotency: [...this.idempotency],
    };
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved));
    renameSync(tmp, this.statePath);
  }
}

function readState(statePath: string): Saved {
  let saved: Partial<Saved>;
  try {
    saved = JSON.parse(readFileSync(statePath, 'utf8')) as Partial<Saved>;
  } catch (err) {
    throw new Error(
      `The emulator state file ${statePath} is not readable JSON (${err instanceof Error ? err.message : String(err)}); move it away to start afresh.`,
    );
  }
  if (saved?.version !== 1 || !Array.isArray(saved.objects) || !Array.isArray(saved.idempotency))
    throw new Error(
      `The emulator state file ${statePath} is not a version 1 emulator state; move it away to start afresh.`,
    );
  return saved as Saved;
}

/** A deep copy without the emulator's own `_` keys: what the API answers and what events carry. */
export function render<T>(value: T): T {
  if (Array.isArray(value)) return value.map(render) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!k.startsWith('_')) out[k] = render(v);
    return out as T;
  }
  return value;
}
