/** Why `bus.emit` dropped an event: bad input, a backend failure, too many in flight, or a stopped bus. */
export type DropReason = 'invalid' | 'failed' | 'overflow' | 'closed';

/** Labels of every consumer-side metric. */
export interface ConsumerLabels {
  readonly topic: string;
  readonly handler: string;
}

/**
 * The metrics port the bus reports to. `createPrometheusMetrics` implements it on prom-client;
 * anything else (StatsD, OpenTelemetry metrics) can implement it too.
 */
export interface BusMetrics {
  /** An event was published (after the transport confirmed it). */
  published(labels: { readonly topic: string; readonly type: string }): void;
  /** `bus.emit` could not publish an event and dropped it. */
  dropped?(labels: { readonly type: string; readonly reason: DropReason }): void;
  /** A delivery was settled successfully (handled, or skipped as a duplicate). */
  consumed(labels: ConsumerLabels): void;
  /** A delivery was acknowledged without running the handler because its filter dropped it. */
  filtered?(labels: ConsumerLabels): void;
  /**
   * A message was settled without running the handler because a newer event of its type and key
   * (both published with `supersede`) made it stale before it was delivered.
   */
  superseded?(labels: ConsumerLabels): void;
  /** A delivery was settled without running the handler because its event had expired. */
  expired?(labels: ConsumerLabels): void;
  /** A handler attempt failed (threw or timed out). */
  failed(labels: ConsumerLabels & { readonly error: string }): void;
  /** A failed delivery was scheduled for redelivery. */
  retried(labels: ConsumerLabels): void;
  /** A delivery was moved to the dead-letter topic. */
  deadLettered(labels: ConsumerLabels): void;
  /** Time spent in the handler pipeline for one delivery, seconds. */
  handlerDuration(labels: ConsumerLabels, seconds: number): void;
  /** Deliveries of this handler currently being processed changed by `delta`. */
  inFlight(labels: ConsumerLabels, delta: number): void;
  /**
   * Consumer lag as the age of the delivery being processed (now minus publish time), seconds.
   * Transports do not report offset lag through the contract, so this is the lag every
   * transport can give.
   */
  lag(labels: ConsumerLabels & { readonly partition: number }, seconds: number): void;
}

const ignore = (): void => undefined;

/** The default: records nothing. */
export const noopMetrics: BusMetrics = {
  published: ignore,
  consumed: ignore,
  failed: ignore,
  retried: ignore,
  deadLettered: ignore,
  handlerDuration: ignore,
  inFlight: ignore,
  lag: ignore,
};
