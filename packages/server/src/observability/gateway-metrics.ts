import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The gateway's Prometheus metrics, all prefixed `eddy_gateway_`. */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'method' | 'route'>;
  readonly published: Counter<'topic'>;
  readonly delivered: Counter<'topic' | 'group' | 'mode'>;
  readonly acked: Counter<'topic' | 'group'>;
  readonly nacked: Counter<'topic' | 'group' | 'reason'>;
  readonly filtered: Counter<'topic' | 'group'>;
  readonly superseded: Counter<'topic' | 'group'>;
  readonly leases: Gauge;
  readonly subscriptions: Gauge<'mode'>;
  readonly authFailures: Counter<'reason'>;
  readonly rateLimited: Counter<'key'>;
}

/**
 * Creates the metrics in `registry` (a fresh one by default, so several servers in one process do
 * not collide), with prom-client's default process metrics (memory, CPU, event loop lag).
 */
export function createGatewayMetrics(registry: Registry = new Registry()): GatewayMetrics {
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'eddy_gateway_' });
  return {
    registry,
    requests: new Counter({
      name: 'eddy_gateway_http_requests_total',
      help: 'HTTP requests answered, by route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'eddy_gateway_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (long-polls included).',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    }),
    published: new Counter({
      name: 'eddy_gateway_events_published_total',
      help: 'Events published through the gateway.',
      labelNames: ['topic'],
      registers,
    }),
    delivered: new Counter({
      name: 'eddy_gateway_messages_delivered_total',
      help: 'Messages handed to clients, by mode (pull, websocket, sse).',
      labelNames: ['topic', 'group', 'mode'],
      registers,
    }),
    acked: new Counter({
      name: 'eddy_gateway_messages_acked_total',
      help: 'Deliveries acknowledged by clients.',
      labelNames: ['topic', 'group'],
      registers,
    }),
    nacked: new Counter({
      name: 'eddy_gateway_messages_nacked_total',
      help: 'Deliveries given back for redelivery: by the client (nack), on ack timeout, or on disconnect.',
      labelNames: ['topic', 'group', 'reason'],
      registers,
    }),
    filtered: new Counter({
      name: 'eddy_gateway_messages_filtered_total',
      help: 'Messages a consumer filter (?filter=, ?pattern=) dropped: acknowledged for the group, never sent.',
      labelNames: ['topic', 'group'],
      registers,
    }),
    superseded: new Counter({
      name: 'eddy_gateway_messages_superseded_total',
      help: 'Messages the transport settled unsent because a newer last value of their type and key arrived first.',
      labelNames: ['topic', 'group'],
      registers,
    }),
    leases: new Gauge({
      name: 'eddy_gateway_leased_messages',
      help: 'Messages delivered to clients and not yet settled.',
      registers,
    }),
    subscriptions: new Gauge({
      name: 'eddy_gateway_subscriptions',
      help: 'Open consumer bridges, by mode.',
      labelNames: ['mode'],
      registers,
    }),
    authFailures: new Counter({
      name: 'eddy_gateway_auth_failures_total',
      help: 'Requests refused by authentication or authorization.',
      labelNames: ['reason'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'eddy_gateway_rate_limited_total',
      help: 'Requests refused by the per-key rate limit.',
      labelNames: ['key'],
      registers,
    }),
  };
}
