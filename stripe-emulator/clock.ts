// Calendar arithmetic for billing periods, in epoch seconds (UTC), as Stripe counts them.

/**
 * `count` intervals after `from`, by the calendar as Stripe bills: a month after 31 January is the
 * last day of February (the day of month is clamped, never spilled into the next month).
 */
export function addInterval(from: number, interval: string, count = 1): number {
  const d = new Date(from * 1000);
  if (interval === 'month' || interval === 'year') {
    const months = interval === 'year' ? 12 * count : count;
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, lastDay));
  } else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * count);
  else d.setUTCDate(d.getUTCDate() + count);
  return Math.floor(d.getTime() / 1000);
}

/** The first period boundary after `after`, counted from the billing cycle anchor (so 31st stays 31st). */
export function nextBoundary(anchor: number, interval: string, count: number, after: number): number {
  for (let k = 1; k < 100_000; k++) {
    const t = addInterval(anchor, interval, count * k);
    if (t > after) return t;
  }
  throw new Error('No period boundary found');
}
