import Stripe from 'stripe';
import type { Target, WebhookDelivery } from './delivery';
import { missing } from './errors';
import { render, type StripeObject, type Store } from './store';

/** The installed SDK's API version: objects are shaped as it expects. */
export const API_VERSION: string = Stripe.API_VERSION;

export const AFTER_FAILED_RETRIES = ['cancel', 'unpaid', 'past_due'] as const;
export type AfterFailedRetries = (typeof AFTER_FAILED_RETRIES)[number];

/** The customer whose clock an object lives on (an event on a test clock carries the clock's time). */
function ownerOf(obj: StripeObject): string | null {
  if (obj.object === 'customer') return obj.id;
  return typeof obj.customer === 'string' ? obj.customer : null;
}

/** What every resource handler shares: the objects, the clock, events and their delivery. */
export class Core {
  forwardTo: { url: string; secret: string } | null = null;
  /** What the last failed retry does, as in Stripe's subscription settings: cancel, mark unpaid, or leave past_due. */
  afterFailedRetries: AfterFailedRetries = 'cancel';

  constructor(
    readonly store: Store,
    readonly delivery: WebhookDelivery,
    readonly baseUrl: () => string,
  ) {}

  /** The emulator's global time in epoch seconds: the machine's, plus what advanceTime added. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.store.offsetSec;
  }

  /** A customer's time: its test clock's frozen time when it has one. */
  nowFor(customerId: string | null | undefined): number {
    const customer = customerId ? this.store.get(customerId) : undefined;
    const clockId = customer?.test_clock as string | null | undefined;
    const clock = clockId ? this.store.get(clockId) : undefined;
    return clock ? (clock.frozen_time as number) : this.now();
  }

  /** Looks an object up by id and type, or answers Stripe's 404. */
  find(objectType: string, id: string, label = objectType, param = 'id'): StripeObject {
    const obj = this.store.get(id);
    if (!obj || obj.object !== objectType || obj.deleted || obj._deleted) throw missing(label, id, param);
    return obj;
  }

  base(objectType: string, at = this.now()): StripeObject {
    return { id: this.store.newId(objectType), object: objectType, created: at, livemode: false };
  }

  /** Records an event carrying the object as it is now, and queues its delivery. */
  emit(
    type: string,
    obj: StripeObject,
    previous?: Record<string, unknown>,
    at = this.nowFor(ownerOf(obj)),
  ): StripeObject {
    const event = this.store.insert({
      ...this.base('event', at),
      api_version: API_VERSION,
      data: { object: render(obj), ...(previous ? { previous_attributes: render(previous) } : {}) },
      pending_webhooks: 0,
      request: { id: null, idempotency_key: null },
      type,
    });
    const targets = this.targetsFor(type);
    event.pending_webhooks = targets.length;
    this.delivery.enqueue({ id: event.id, type }, JSON.stringify(render(event), null, 2), targets);
    return event;
  }

  private targetsFor(type: string): Target[] {
    const targets: Target[] = this.store
      .all('webhook_endpoint')
      .filter((e) => e.status === 'enabled')
      .filter((e) => {
        const events = e.enabled_events as string[];
        return events.includes('*') || events.includes(type);
      })
      .map((e) => ({ url: e.url as string, secret: e._secret as string }));
    if (this.forwardTo) targets.push(this.forwardTo);
    return targets;
  }
}
