import type { Headers } from '../transport/message.js';

/** One pending outbox row as the relay reads it. */
export interface OutboxRecord {
  /** Insertion sequence: within a lane, rows are published in `id` order. */
  readonly id: number;
  readonly topic: string;
  readonly key: string | undefined;
  readonly lane: number;
  /** The event, encoded for the transport (binary mode: `ce-*` headers and the data). */
  readonly headers: Headers;
  readonly payload: Uint8Array;
  /** W3C trace context of the code that wrote the row, for the relay's span links. */
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  /** When the row was written, epoch ms. */
  readonly createdAt: number;
}

/** The lanes a relay holds after `claimLanes`, and how many relays are alive. */
export interface LaneClaim {
  /** Lanes leased to the caller, ascending. */
  readonly lanes: readonly number[];
  /** Relays with an unexpired heartbeat, the caller included (at least 1). */
  readonly relays: number;
}

/**
 * A row the relay set aside (see `markFailed`): no longer pending, kept with the reason until an
 * operator puts it back with `retryFailed`.
 */
export interface FailedOutboxRecord extends OutboxRecord {
  /** When it was set aside, epoch ms. */
  readonly failedAt: number;
  /** The publish error, as text (`<code>: <message>` for an `EddyError`). */
  readonly error: string;
  /**
   * Publish attempts the row had when it was set aside (1 for a permanent error). Undefined for
   * rows set aside by a store version that did not record it.
   */
  readonly attempts: number | undefined;
}

/** Which failed rows `failedRows` returns. */
export interface FailedRowsQuery {
  /** Most rows returned. Default 100. */
  readonly limit?: number;
  /** Only rows with an `id` above this one, to page through many. Default none. */
  readonly afterId?: number;
}

/** What `stats` reports, for metrics and tests. */
export interface OutboxStats {
  /** Rows not yet published, failed rows excluded. */
  readonly pending: number;
  /** Rows set aside by `markFailed` and not yet put back with `retryFailed`. */
  readonly failed: number;
  /** `createdAt` of the oldest pending row, epoch ms; undefined when nothing is pending. */
  readonly oldestPendingAt: number | undefined;
}

/**
 * The relay's side of the transactional outbox. Rows are written by each store's own `add`
 * (inside the application's transaction); this port is what a relay needs to publish them.
 *
 * Rows are spread over a fixed number of lanes by partition key, so every row of one key is in one
 * lane. A relay leases whole lanes and publishes each lane in `id` order, which keeps per-key order
 * with several relays running. A lease expires unless renewed; a crashed relay's lanes are taken
 * over after expiry (its last unmarked batch is then published again, with the same event ids).
 */
export interface OutboxStore {
  /** Number of lanes, fixed when the outbox is created. */
  readonly lanes: number;
  /**
   * Atomically: records `owner`'s heartbeat for `leaseMs`, renews the lanes it holds for `leaseMs`,
   * and leases free or expired lanes until it holds its fair share (`ceil(lanes / live relays)`,
   * at most `maxLanes`). Never takes a lane whose lease another owner holds unexpired.
   */
  claimLanes(request: {
    readonly owner: string;
    readonly leaseMs: number;
    readonly maxLanes?: number;
  }): Promise<LaneClaim>;
  /** Gives lanes back at once (shutdown, rebalancing), so another relay can take them. */
  releaseLanes(owner: string, lanes: readonly number[]): Promise<void>;
  /** The oldest pending rows of a lane, in `id` order, at most `limit`. */
  fetchPending(lane: number, limit: number): Promise<OutboxRecord[]>;
  /**
   * Marks rows published (or deletes them when `delete`), but only while `owner` still holds the
   * lane's lease; returns false (and changes nothing) when the lease was lost.
   */
  markPublished(request: {
    readonly owner: string;
    readonly lane: number;
    readonly ids: readonly number[];
    readonly delete: boolean;
  }): Promise<boolean>;
  /**
   * Sets one row aside after a publish it can never pass (or too many failed attempts): it leaves
   * the pending set, so later rows of its lane go on, and keeps `error` and the time for
   * `failedRows`. Only while `owner` still holds the lane's lease; returns false (and changes
   * nothing) when the lease was lost.
   */
  markFailed(request: {
    readonly owner: string;
    readonly lane: number;
    readonly id: number;
    readonly error: string;
    /** Publish attempts the row had, kept for `failedRows`. Default 1. */
    readonly attempts?: number;
  }): Promise<boolean>;
  /** Rows set aside, in `id` order. */
  failedRows(query?: FailedRowsQuery): Promise<FailedOutboxRecord[]>;
  /**
   * Puts failed rows back in the pending set (after fixing the cause); the relay publishes them
   * next in their lane, ahead of rows with higher ids. Ids that are not failed rows are ignored.
   * Returns how many rows were put back.
   */
  retryFailed(ids: readonly number[]): Promise<number>;
  /**
   * Deletes failed rows for good (an operator decided they must never be published). Ids that are
   * not failed rows are ignored. Returns how many rows were deleted. Optional: a store without it
   * offers retry only.
   */
  discardFailed?(ids: readonly number[]): Promise<number>;
  /** Pending depth, the age of the oldest pending row, and how many rows are set aside. */
  stats(): Promise<OutboxStats>;
  /** Deletes rows published before `before` (epoch ms); returns how many. Never deletes failed rows. */
  purgePublished(before: number): Promise<number>;
  /**
   * Calls `listener` when rows may have been committed (same process, or other processes where the
   * database can signal it, e.g. PostgreSQL NOTIFY). A hint only: the relay still polls.
   * Returns a function that removes the listener.
   */
  onWake?(listener: () => void): () => void;
  /** Releases connections, listeners and timers the store opened. Idempotent. */
  close(): Promise<void>;
}
