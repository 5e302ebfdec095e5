/** One key of a fair group as `bus.fairGroups()` shows it. */
export interface FairKeyStatus {
  readonly key: string;
  /** Deliveries of the key running now in this process. */
  readonly running: number;
  /** Deliveries of the key fetched and waiting for its turn in this process. */
  readonly waiting: number;
  /** Deliveries of the key started by this process since the handler subscribed. */
  readonly delivered: number;
}

/** A handler with fair `group`s: its limits and its keys, as seen by this process. */
export interface FairGroupStatus {
  readonly handler: string;
  readonly topic: string;
  /** The handler's consumer group (`<bus group>.<handler>`). */
  readonly group: string;
  readonly concurrency: number;
  /** Undefined when unlimited. */
  readonly ratePerSecond: number | undefined;
  readonly buffer: number;
  /** True when a `FairSlotStore` makes the limits hold for the whole consumer group. */
  readonly shared: boolean;
  readonly running: number;
  readonly waiting: number;
  /** Keys running or waiting now, then the busiest recent ones; at most `FAIR_STATUS_KEYS`. */
  readonly keys: readonly FairKeyStatus[];
}

/**
 * Most keys a status lists, and most keys whose delivered count a handler remembers once idle:
 * keys may be unbounded (one per customer), the memory for them must not be.
 */
export const FAIR_STATUS_KEYS = 1_000;
