import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import { InvalidOptionError } from '../errors/errors.js';
import type { OutboxStore } from './outbox-store.js';

/** What a relay reports. */
export interface OutboxMetrics {
  /** Rows published to `topic`. */
  published(topic: string, count: number): void;
  /** A publish of rows to `topic` failed (they stay pending and are retried). */
  failed(topic: string, error: string): void;
  /** A row of `topic` was set aside after a publish error with code `error` (see `failedRows`). */
  rowFailed?(topic: string, error: string): void;
}

export interface OutboxPrometheusMetricsOptions {
  /** The outbox whose depth and oldest pending row are reported at each scrape. */
  readonly store: OutboxStore;
  /** Registry to register the metrics in. Default prom-client's global `register`. */
  readonly registry?: Registry;
  /** Prefix of every metric name. Default `eddy_`. */
  readonly prefix?: string;
}

/**
 * Outbox metrics on prom-client (an optional peer dependency, imported only here):
 * `<prefix>outbox_pending_rows` and `<prefix>outbox_oldest_pending_age_seconds` (read from the
 * store at scrape time, so they hold for every relay and writer, not just this process),
 * `<prefix>outbox_failed_rows` (rows set aside, also from the store),
 * `<prefix>outbox_published_total{topic}`, `<prefix>outbox_publish_failures_total{topic,error}` and
 * `<prefix>outbox_rows_failed_total{topic,error}` (rows this relay set aside).
 */
export async function createOutboxPrometheusMetrics(
  options: OutboxPrometheusMetricsOptions,
): Promise<OutboxMetrics> {
  let client: typeof PromClient;
  try {
    client = await import('prom-client');
  } catch (error) {
    throw new InvalidOptionError(
      `createOutboxPrometheusMetrics needs the prom-client package: npm install prom-client (${String(error)}).`,
    );
  }
  const prefix = options.prefix ?? 'eddy_';
  const registers = [options.registry ?? client.register];
  const { store } = options;
  new client.Gauge({
    name: `${prefix}outbox_pending_rows`,
    help: 'Outbox rows written and not yet published.',
    registers,
    async collect() {
      this.set((await store.stats()).pending);
    },
  });
  new client.Gauge({
    name: `${prefix}outbox_oldest_pending_age_seconds`,
    help: 'Age of the oldest outbox row not yet published (0 when none is pending).',
    registers,
    async collect() {
      const { oldestPendingAt } = await store.stats();
      this.set(oldestPendingAt === undefined ? 0 : Math.max(0, Date.now() - oldestPendingAt) / 1000);
    },
  });
  new client.Gauge({
    name: `${prefix}outbox_failed_rows`,
    help: 'Outbox rows set aside after publish failures, waiting for an operator (retryFailed).',
    registers,
    async collect() {
      this.set((await store.stats()).failed);
    },
  });
  const published = new client.Counter({
    name: `${prefix}outbox_published_total`,
    help: 'Outbox rows published by this relay.',
    labelNames: ['topic'],
    registers,
  });
  const failures = new client.Counter({
    name: `${prefix}outbox_publish_failures_total`,
    help: 'Failed publish attempts of outbox rows (the rows are retried).',
    labelNames: ['topic', 'error'],
    registers,
  });
  const rowsFailed = new client.Counter({
    name: `${prefix}outbox_rows_failed_total`,
    help: 'Outbox rows this relay set aside after publish failures (listed by failedRows).',
    labelNames: ['topic', 'error'],
    registers,
  });
  return {
    published: (topic, count) => published.inc({ topic }, count),
    failed: (topic, error) => failures.inc({ topic, error }),
    rowFailed: (topic, error) => rowsFailed.inc({ topic, error }),
  };
}
