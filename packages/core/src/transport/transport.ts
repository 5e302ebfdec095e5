import type { TransportCapabilities } from './capabilities.js';
import type { Headers, OutgoingMessage, Position, ReceivedMessage } from './message.js';
import type { SubscriptionFilter } from './subscription-filter.js';

/**
 * Where a group that does not exist yet starts reading. An existing group always resumes from its
 * own committed position, whatever is passed here.
 * - `'earliest'`: the oldest retained message.
 * - `'latest'`: only messages published after the group was created.
 * - `{ positions }`: from each listed partition's offset (inclusive); unlisted partitions from earliest.
 * - `{ time }`: from the first message published at or after `time` (epoch ms).
 */
export type StartPosition =
  'earliest' | 'latest' | { readonly positions: readonly Position[] } | { readonly time: number };

export interface SubscribeOptions {
  /** Consumer group. Members of one group compete for messages; each group gets every message. */
  readonly group: string;
  /** Start position for a new group. Default `'latest'`. */
  readonly from?: StartPosition;
  /** Most messages handed to this subscriber and not yet settled. Default 16. */
  readonly maxInFlight?: number;
  /** An unsettled message is redelivered (to any member) after this long. Default 30 000 ms. */
  readonly ackTimeoutMs?: number;
  /** Redelivery delay after a handler throws something other than a `Nack`. Default 0 ms. */
  readonly nackDelayMs?: number;
  /**
   * Only messages this filter accepts reach the handler; the others are acknowledged for the group
   * (its position moves past them) and reported to `onFiltered`. Only where
   * `capabilities.filtering`; refused with `EDDY_NOT_SUPPORTED` elsewhere. Default: none.
   */
  readonly filter?: SubscriptionFilter;
  /** Called with the headers of each message the filter dropped, for metrics. */
  readonly onFiltered?: (headers: Headers) => void;
  /** Where `capabilities.supersede`: called with the headers of each message settled as stale. */
  readonly onSuperseded?: (headers: Headers) => void;
}

/**
 * Handles one message. Resolving acknowledges it; throwing (or rejecting) nacks it, and it is
 * redelivered after the delay a thrown `Nack` carries, else after `nackDelayMs`.
 */
export type MessageHandler = (message: ReceivedMessage) => Promise<void> | void;

/**
 * Options of `Transport.subscribeBatch`: those of `subscribe`, plus how many messages one call of
 * the handler takes. `maxInFlight` counts messages, not calls.
 */
export interface BatchSubscribeOptions extends SubscribeOptions {
  /** Most messages in one call of the handler. Default `maxInFlight`. */
  readonly maxBatchSize?: number;
}

/** How a batch went: the messages listed are nacked with their error, every other one is acknowledged. */
export interface BatchSettlement {
  /** Failed messages of the batch (the very objects it was handed) and what they failed with. */
  readonly failed: ReadonlyMap<ReceivedMessage, unknown>;
}

/**
 * Handles messages delivered together, in the order the transport would have delivered them one by
 * one. Resolving with nothing acknowledges them all; resolving with a `BatchSettlement` nacks the
 * ones it lists (each redelivered after the delay its `Nack` carries, else after `nackDelayMs`) and
 * acknowledges the rest; throwing nacks them all.
 */
export type BatchMessageHandler = (
  messages: readonly ReceivedMessage[],
) => Promise<BatchSettlement | void> | BatchSettlement | void;

export interface Subscription {
  /**
   * Stops fetching, waits for in-flight handlers to settle (their acks and nacks are applied),
   * and releases the subscriber. Messages never handed to the handler stay for other members.
   */
  close(): Promise<void>;
  /**
   * Optional, present where `capabilities.leaseExtension` is true: keeps `message` (a delivery of
   * this subscription whose handler still runs) from being redelivered for `ms` from now, however
   * long that is past `ackTimeoutMs`. A message already settled or given up is left alone.
   */
  extendLease?(message: ReceivedMessage, ms: number): Promise<void>;
}

/**
 * The contract every backend implements. Small on purpose: publishing, subscribing and closing.
 * Semantics are proven by `@eddy/conformance`.
 */
export interface Transport {
  /** Short backend name, e.g. `memory`, `sqlite`, `postgres`. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /**
   * Appends messages to a topic, creating it if needed. Resolves only after the backend has made
   * them durable (per `capabilities.durable`), with one position per message in input order.
   * Rejects as a whole with a typed `EddyError` on bad names or oversize messages, publishing nothing.
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]>;
  /** Starts delivering messages of `topic` to `handler` as a member of `options.group`. */
  subscribe(topic: string, options: SubscribeOptions, handler: MessageHandler): Promise<Subscription>;
  /**
   * Optional: like `subscribe`, but messages that are ready together (the rows of one fetch, a
   * backlog) reach `handler` in one call, up to `maxBatchSize`, which saves a per-message handler
   * call where a consumer works in batches anyway (`bus.onBatch`, stream pipelines). Every
   * guarantee of `subscribe` holds per message: `maxInFlight` bounds the messages handed over and
   * not settled, each is settled on its own (acknowledged, or nacked and redelivered), per-key
   * order holds as `subscribe` keeps it (a batch never holds a message whose key has an earlier
   * one unsettled), and an unsettled message is redelivered after `ackTimeoutMs`. Transports without
   * it are used through `subscribe`.
   */
  subscribeBatch?(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription>;
  /** Closes every subscription (draining in-flight work) and releases connections. Idempotent. */
  close(): Promise<void>;
}
