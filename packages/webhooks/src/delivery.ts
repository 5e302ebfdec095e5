import { createHash } from 'node:crypto';

/**
 * Where a delivery stands: `pending` until it succeeds or is given up; `dead` is the endpoint's
 * dead-letter queue (attempts exhausted, 410, endpoint disabled or removed), redeliverable by hand.
 */
export type DeliveryStatus = 'pending' | 'succeeded' | 'dead';

/** One event bound for one endpoint, with its retry state. */
export interface Delivery {
  /** Derived from the endpoint and event ids, so enqueuing an event twice makes one delivery. */
  readonly id: string;
  readonly endpointId: string;
  /** The event id, sent as `webhook-id` on every attempt so receivers can drop repeats. */
  readonly eventId: string;
  readonly eventType: string;
  /** The request body, exactly as signed and sent. */
  readonly payload: string;
  /** Copied from the endpoint at enqueue time: whether this delivery waits for earlier ones. */
  readonly ordered: boolean;
  /** Enqueue order across the store; ordered deliveries go out by it. */
  readonly sequence: number;
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  /** When the next attempt is due (epoch ms). */
  readonly nextAttemptAt: number;
  /** The last failure, one line. */
  readonly lastError?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What `DeliveryStore.enqueue` takes. */
export interface NewDelivery {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: string;
  readonly ordered: boolean;
}

/** One HTTP attempt, as logged. */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  /** 1-based. */
  readonly number: number;
  readonly startedAt: number;
  readonly latencyMs: number;
  /** HTTP status, absent when no response came (timeout, refused connection, refused destination). */
  readonly statusCode?: number;
  readonly succeeded: boolean;
  /** Why it failed, one line. */
  readonly error?: string;
  /** The first bytes of the response body (see the dispatcher's `responseBodyBytes`). */
  readonly responseBody: string;
}

/** How `DeliveryStore.settle` moves a claimed delivery on. */
export interface DeliverySettlement {
  /** The owner that claimed it; nothing changes when the claim was lost meanwhile. */
  readonly owner: string;
  readonly status: DeliveryStatus;
  /** When the next attempt is due, for `pending`. */
  readonly nextAttemptAt: number;
  /** The attempt to log; absent when the delivery was put back without one (rate limit). */
  readonly attempt?: DeliveryAttempt;
  /** The failure to remember; absent keeps the previous one, except on success, which clears it. */
  readonly lastError?: string;
  readonly now: number;
}

/** Options of `DeliveryStore.list`. */
export interface DeliveryQuery {
  readonly endpointId?: string;
  readonly status?: DeliveryStatus;
  /** Most deliveries returned, newest first. Default 100. */
  readonly limit?: number;
  /** Only deliveries with a smaller sequence (paging backwards). */
  readonly beforeSequence?: number;
}

/** Derives a delivery id from its endpoint and event: stable across repeats of one event. */
export function deliveryIdOf(endpointId: string, eventId: string): string {
  return `dlv_${createHash('sha256').update(`${endpointId}\n${eventId}`).digest('base64url').slice(0, 24)}`;
}
