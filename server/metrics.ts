import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReconcileReport } from './services/reconciler';

/** A webhook's outcome as a label: its first word, not the whole text (which names customers). */
export function outcomeClass(outcome: string, duplicate = false): string {
  if (duplicate) return 'duplicate';
  if (outcome.startsWith('synced')) return 'synced';
  if (outcome.startsWith('unprocessable')) return 'unprocessable';
  return outcome.split(/[:\s]/)[0] || 'other';
}

/**
 * What an operator watches, in Prometheus's text format (prom-client, on a registry of our own):
 * requests by route and status with their latency, webhooks by type and outcome, grants and their
 * refusals by reason, reconciliation runs and the drift they found, database and Stripe errors, and
 * Node's own process metrics. Routes are labelled by their pattern, never by the raw path, so a
 * scanner cannot grow the series without bound.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'siberia_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'siberia_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly webhooks = new Counter({
    name: 'siberia_stripe_webhooks_total',
    help: 'Stripe webhooks received, by event type and outcome (refused: bad signature)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly grants = new Counter({
    name: 'siberia_usage_grants_total',
    help: 'Usage grant requests, by kind and result (granted, or the refusal code)',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  private readonly reconcileRuns = new Counter({
    name: 'siberia_reconcile_runs_total',
    help: 'Reconciliations with Stripe run by this process (full: every customer)',
    labelNames: ['full'] as const,
    registers: [this.registry],
  });
  private readonly reconcileFound = new Counter({
    name: 'siberia_reconcile_items_total',
    help: 'What reconciliations did: customers synced, drift found, events caught up, syncs failed',
    labelNames: ['what'] as const,
    registers: [this.registry],
  });
  private readonly reconcileLast = new Gauge({
    name: 'siberia_reconcile_last_run_timestamp_seconds',
    help: 'When this process last finished a reconciliation',
    registers: [this.registry],
  });
  private readonly databaseErrors = new Counter({
    name: 'siberia_database_errors_total',
    help: 'Requests and probes that met an unavailable database (unreachable, full, read-only)',
    registers: [this.registry],
  });
  private readonly stripeErrors = new Counter({
    name: 'siberia_stripe_errors_total',
    help: 'Stripe calls that failed: where (http, webhook) or the status Stripe answered (5xx, 429)',
    labelNames: ['where'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'siberia_' });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route, method }, seconds);
  }

  webhook(type: string, outcome: string): void {
    this.webhooks.inc({ type, outcome });
  }

  grant(kind: string, result: string): void {
    this.grants.inc({ kind, result });
  }

  reconciled(report: ReconcileReport): void {
    this.reconcileRuns.inc({ full: String(report.full) });
    this.reconcileFound.inc({ what: 'synced' }, report.synced);
    this.reconcileFound.inc({ what: 'drift' }, report.drift);
    this.reconcileFound.inc({ what: 'caught_up' }, report.caughtUp);
    this.reconcileFound.inc({ what: 'failed' }, report.failed);
    this.reconcileLast.setToCurrentTime();
  }

  databaseError(): void {
    this.databaseErrors.inc();
  }

  stripeError(where: string): void {
    this.stripeErrors.inc({ where });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** METRICS_TOKEN, compared in constant time; true when no token is required. */
export function metricsAuthorized(token: string | null, authorization: string | undefined): boolean {
  if (token === null) return true;
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
