/**
 * At most `limit` requests per client address per window, counted in this process: for pages that
 * cost a call to Stripe, where one client must not make the server call Stripe hundreds of times a
 * second. (Sign-in attempts are counted in the database instead: security/login-throttle.ts.)
 */
export class AddressLimit {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go on; otherwise the seconds to wait. */
  take(address: string): number {
    const now = this.now();
    let w = this.windows.get(address);
    if (!w || now - w.startedAt >= this.windowMs) {
      if (this.windows.size >= 10_000) this.prune(now);
      w = { startedAt: now, count: 0 };
      this.windows.set(address, w);
    }
    w.count++;
    return w.count <= this.limit ? 0 : Math.max(1, Math.ceil((w.startedAt + this.windowMs - now) / 1000));
  }

  private prune(now: number): void {
    for (const [address, w] of this.windows)
      if (now - w.startedAt >= this.windowMs) this.windows.delete(address);
  }
}
