import { createHmac } from 'node:crypto';

export type DeliveryOptions = {
  /** First retry after this many ms; each next one waits twice as long (Stripe's schedule, compressed). */
  retryBaseMs?: number;
  /** Attempts per event and endpoint, the first included. */
  maxAttempts?: number;
  /** An endpoint that has not answered by then counts as failed. */
  timeoutMs?: number;
  /** Deliver every event twice (tests: duplicates must have no second effect). */
  duplicate?: boolean;
  /** Deliver queued events in a random order (tests: order must not matter). */
  shuffle?: boolean;
  /** Hold each delivery this long first (tests: the browser may come back before the webhook). */
  delayMs?: number;
};

export type DeliveryAttempt = {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  status: number | null;
  error?: string;
  at: string;
};

export type Target = { url: string; secret: string };
type Job = {
  eventId: string;
  type: string;
  payload: string;
  target: Target;
  attempt: number;
  notBefore: number;
};

/** Stripe's signature header: `t=…,v1=…`, HMAC-SHA256 of "{t}.{payload}" with the endpoint's secret. */
export function signPayload(
  payload: string,
  secret: string,
  timestampSec = Math.floor(Date.now() / 1000),
): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSec}.${payload}`).digest('hex');
  return `t=${timestampSec},v1=${v1}`;
}

const NUMBERS = ['retryBaseMs', 'maxAttempts', 'timeoutMs', 'delayMs'] as const;
const SWITCHES = ['duplicate', 'shuffle'] as const;

/** Checks delivery switches from a caller or from JSON: known keys, whole numbers, booleans. */
export function parseDeliveryOptions(input: unknown): DeliveryOptions {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new Error('Delivery options must be an object.');
  const out: DeliveryOptions = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if ((NUMBERS as readonly string[]).includes(key)) {
      const min = key === 'maxAttempts' || key === 'timeoutMs' ? 1 : 0;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
        throw new Error(`${key}: a whole number ≥ ${min}, not ${JSON.stringify(value)}`);
      out[key as (typeof NUMBERS)[number]] = value;
    } else if ((SWITCHES as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw new Error(`${key}: true or false, not ${JSON.stringify(value)}`);
      out[key as (typeof SWITCHES)[number]] = value;
    } else throw new Error(`Unknown delivery option: ${key}`);
  }
  return out;
}

const DEFAULTS: Required<DeliveryOptions> = {
  retryBaseMs: 2000,
  maxAttempts: 6,
  timeoutMs: 10_000,
  duplicate: false,
  shuffle: false,
  delayMs: 0,
};

/**
 * Delivers events to endpoints one at a time, in creation order unless shuffled; a non-2xx answer
 * or a time-out is retried with back-off, a bounded number of times. Signed with the real time, since
 * receivers check the timestamp against their own clock.
 */
export class WebhookDelivery {
  private opts: Required<DeliveryOptions>;
  private queue: Job[] = [];
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;
  readonly attempts: DeliveryAttempt[] = [];

  constructor(opts: DeliveryOptions = {}) {
    this.opts = { ...DEFAULTS, ...parseDeliveryOptions(opts) };
  }

  /** Changes some switches; throws, changing nothing, when one is not valid. */
  configure(opts: DeliveryOptions): void {
    this.opts = { ...this.opts, ...parseDeliveryOptions(opts) };
  }

  enqueue(event: { id: string; type: string }, payload: string, targets: Target[]): void {
    if (this.stopped) return;
    const copies = this.opts.duplicate ? 2 : 1;
    for (const target of targets)
      for (let i = 0; i < copies; i++)
        this.queue.push({ eventId: event.id, type: event.type, payload, target, attempt: 1, notBefore: 0 });
    this.pump();
  }

  /** Resolves once nothing is queued, waiting for a retry, or in flight. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.settle();
  }

  clear(): void {
    this.queue = [];
    this.attempts.length = 0;
    this.settle();
  }

  private settle(): void {
    if (this.running || this.queue.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    const now = Date.now();
    const ready = this.queue.filter((j) => j.notBefore <= now);
    if (ready.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      if (this.queue.length > 0) {
        const next = Math.min(...this.queue.map((j) => j.notBefore));
        this.timer = setTimeout(() => this.pump(), Math.max(1, next - now));
      }
      this.settle();
      return;
    }
    const job = this.opts.shuffle
      ? (ready[Math.floor(Math.random() * ready.length)] as Job)
      : (ready[0] as Job);
    this.queue.splice(this.queue.indexOf(job), 1);
    this.running = true;
    void this.send(job).finally(() => {
      this.running = false;
      this.pump();
    });
  }

  private async send(job: Job): Promise<void> {
    if (this.opts.delayMs > 0) await new Promise((r) => setTimeout(r, this.opts.delayMs));
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(job.target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signPayload(job.payload, job.target.secret),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks) siberia-emulator',
        },
        body: job.payload,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    this.attempts.push({
      eventId: job.eventId,
      type: job.type,
      url: job.target.url,
      attempt: job.attempt,
      status,
      ...(error ? { error } : {}),
      at: new Date().toISOString(),
    });
    const ok = status !== null && status >= 200 && status < 300;
    if (!ok && job.attempt < this.opts.maxAttempts && !this.stopped) {
      this.queue.push({
        ...job,
        attempt: job.attempt + 1,
        notBefore: Date.now() + this.opts.retryBaseMs * 2 ** (job.attempt - 1),
      });
    }
  }
}
