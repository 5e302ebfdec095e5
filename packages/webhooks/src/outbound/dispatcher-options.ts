import type { Bus, Logger } from '@eddy/core';
import type { DeliveryStore } from '../delivery-store.js';
import type { EndpointStore } from '../endpoint-store.js';

/** When failed attempts are retried: exponential backoff with full jitter, as the bus retries handlers. */
export interface WebhookRetryOptions {
  /** Attempts before a delivery is dead-lettered. Default 12. */
  readonly maxAttempts?: number;
  /** Ceiling of the first retry's delay, doubled per attempt. Default 10 000 ms. */
  readonly baseDelayMs?: number;
  /** Largest delay between attempts (also caps `Retry-After`). Default 6 h, so the defaults span about a day. */
  readonly maxDelayMs?: number;
}

export interface WebhookDispatcherOptions {
  readonly endpoints: EndpointStore;
  readonly deliveries: DeliveryStore;
  /** A bus to consume `eventTypes` from: each event is enqueued for the endpoints it matches. */
  readonly bus?: Bus<Record<string, unknown>>;
  /** Event types consumed from `bus`, one handler each (`webhooks.<type>`). Default none. */
  readonly eventTypes?: readonly string[];
  /**
   * Host names, IPs or CIDR ranges that may be reached although private, loopback or link-local
   * (e.g. `['127.0.0.1']` in tests). Default none: internal destinations are refused.
   */
  readonly allowDestinations?: readonly string[];
  /** Deadline of one attempt (connect, response, first body bytes), ms. Default 15 000. */
  readonly timeoutMs?: number;
  readonly retry?: WebhookRetryOptions;
  /** An endpoint that keeps failing this long (no success in between) is disabled. Default 5 days. */
  readonly disableAfterMs?: number;
  /** Most attempts in flight at once. Default 64. */
  readonly concurrency?: number;
  /** How often to look for due deliveries when nothing woke the dispatcher, ms. Default 500. */
  readonly pollIntervalMs?: number;
  /** How long a claimed delivery stays with this dispatcher before another may take it, ms. Default `timeoutMs` + 30 000. */
  readonly leaseMs?: number;
  /** How long succeeded and dead deliveries (with their attempts) are kept, ms. Default 30 days. */
  readonly retentionMs?: number;
  /** Bytes of each response body kept in the attempt log. Default 1 024. */
  readonly responseBodyBytes?: number;
  /** Default `Eddy-Webhooks/0.1`. */
  readonly userAgent?: string;
  /** Pino-compatible logger. Default silent. */
  readonly logger?: Logger;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}
