import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import { InvalidOptionError } from '../errors/errors.js';
import type { BusMetrics } from './metrics.js';

export interface PrometheusMetricsOptions {
  /** Registry to register the metrics in. Default prom-client's global `register`. */
  readonly registry?: Registry;
  /** Prefix of every metric name. Default `eddy_`. */
  readonly prefix?: string;
  /** Handler duration histogram buckets, seconds. Default prom-client's defaults. */
  readonly durationBuckets?: readonly number[];
}

/**
 * `BusMetrics` on prom-client. prom-client is an optional peer dependency: it is imported only
 * when this is called, so a bus without metrics never loads it. Metrics:
 * `<prefix>messages_published_total{topic,type}`, `<prefix>messages_consumed_total`,
 * `<prefix>messages_failed_total{...,error}`, `<prefix>messages_retried_total`,
 * `<prefix>messages_dead_lettered_total`, `<prefix>handler_duration_seconds`,
 * `<prefix>messages_in_flight` and `<prefix>consumer_lag_seconds{...,partition}`, the consumer
 * ones labelled `{topic,handler}`.
 */
export async function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): Promise<BusMetrics> {
  let client: typeof PromClient;
  try {
    client = await import('prom-client');
  } catch (error) {
    throw new InvalidOptionError(
      `createPrometheusMetrics needs the prom-client package: npm install prom-client (${String(error)}).`,
    );
  }
  const prefix = options.prefix ?? 'eddy_';
  const registers = [options.registry ?? client.register];
  const consumerLabels = ['topic', 'handler'] as const;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new client.Counter<L>({ name: `${prefix}${name}`, help, labelNames, registers });

  const published = counter('messages_published_total', 'Events published.', ['topic', 'type']);
  const consumed = counter('messages_consumed_total', 'Deliveries handled successfully.', consumerLabels);
  const failed = counter('messages_failed_total', 'Handler attempts that failed.', [
    ...consumerLabels,
    'error',
  ]);
  const filtered = counter(
    'messages_filtered_total',
    "Deliveries acknowledged unhandled because the handler's filter dropped them.",
    consumerLabels,
  );
  const superseded = counter(
    'messages_superseded_total',
    'Messages settled unhandled because a newer event of their type and key superseded them.',
    consumerLabels,
  );
  const dropped = counter('events_dropped_total', 'Events bus.emit could not publish, by reason.', [
    'type',
    'reason',
  ]);
  const expired = counter(
    'messages_expired_total',
    'Deliveries settled unhandled because the event was past its expiresAt.',
    consumerLabels,
  );
  const retried = counter('messages_retried_total', 'Deliveries scheduled for redelivery.', consumerLabels);
  const deadLettered = counter(
    'messages_dead_lettered_total',
    'Deliveries moved to the dead-letter topic.',
    consumerLabels,
  );
  const duration = new client.Histogram({
    name: `${prefix}handler_duration_seconds`,
    help: 'Time in the handler pipeline per delivery.',
    labelNames: consumerLabels,
    registers,
    ...(options.durationBuckets === undefined ? {} : { buckets: [...options.durationBuckets] }),
  });
  const inFlight = new client.Gauge({
    name: `${prefix}messages_in_flight`,
    help: 'Deliveries being processed.',
    labelNames: consumerLabels,
    registers,
  });
  const lag = new client.Gauge({
    name: `${prefix}consumer_lag_seconds`,
    help: 'Age of the latest delivery when its processing started (now minus publish time).',
    labelNames: [...consumerLabels, 'partition'],
    registers,
  });

  return {
    published: (labels) => published.inc({ topic: labels.topic, type: labels.type }),
    consumed: (labels) => consumed.inc({ topic: labels.topic, handler: labels.handler }),
    failed: (labels) => failed.inc({ topic: labels.topic, handler: labels.handler, error: labels.error }),
    filtered: (labels) => filtered.inc({ topic: labels.topic, handler: labels.handler }),
    superseded: (labels) => superseded.inc({ topic: labels.topic, handler: labels.handler }),
    dropped: (labels) => dropped.inc({ type: labels.type, reason: labels.reason }),
    expired: (labels) => expired.inc({ topic: labels.topic, handler: labels.handler }),
    retried: (labels) => retried.inc({ topic: labels.topic, handler: labels.handler }),
    deadLettered: (labels) => deadLettered.inc({ topic: labels.topic, handler: labels.handler }),
    handlerDuration: (labels, seconds) =>
      duration.observe({ topic: labels.topic, handler: labels.handler }, seconds),
    inFlight: (labels, delta) => inFlight.inc({ topic: labels.topic, handler: labels.handler }, delta),
    lag: (labels, seconds) =>
      lag.set({ topic: labels.topic, handler: labels.handler, partition: String(labels.partition) }, seconds),
  };
}
