import { type DeepLink, parseDeepLink } from '../../../contracts/deeplink';
import type { Logger } from '../ports';

/** How many links may wait for the window; more than a few is someone flooding us. */
const MAX_QUEUED = 8;

/**
 * Where deep links enter: parsed strictly (a link carries no trust), queued until the window is
 * ready, then handed on one at a time in arrival order.
 */
export class DeepLinks {
  private ready = false;
  private readonly queue: DeepLink[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: { handle(link: DeepLink): Promise<unknown>; scheme: string; logger: Logger },
  ) {}

  /** Returns whether the link parsed; the work itself runs (or waits) behind this call. */
  receive(raw: unknown, via: string): Promise<boolean> {
    const parsed = parseDeepLink(raw, this.deps.scheme);
    if (!parsed.ok) {
      this.deps.logger.warn('deep link refused', { via, reason: parsed.reason, detail: parsed.detail });
      return Promise.resolve(false);
    }
    if (!this.ready) {
      if (this.queue.length >= MAX_QUEUED) {
        this.deps.logger.warn('deep link dropped: queue full', { via });
        return Promise.resolve(false);
      }
      this.queue.push(parsed.link);
      return Promise.resolve(true);
    }
    return this.run(parsed.link).then(() => true);
  }

  private run(link: DeepLink): Promise<unknown> {
    this.chain = this.chain
      .then(() => this.deps.handle(link))
      .catch((e: unknown) =>
        this.deps.logger.error('deep link failed', { route: link.route, error: String(e) }),
      );
    return this.chain;
  }

  /** The window can show results now: handle what waited. */
  async windowReady(): Promise<void> {
    this.ready = true;
    const waiting = this.queue.splice(0);
    for (const link of waiting) await this.run(link);
  }

  /** Idle: every link received so far has been handled. */
  settled(): Promise<unknown> {
    return this.chain;
  }
}
