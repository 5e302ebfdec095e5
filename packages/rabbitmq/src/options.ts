import type { CloudEventMode } from '@eddy/core/cloudevents';
import { InvalidOptionError, redactUrl, resolveCloudEventsMode } from '@eddy/core/internal';

/** Reconnection schedule: exponential backoff with full jitter, retried for as long as the transport is open. */
export interface RabbitMqReconnectOptions {
  /** First wait after the connection drops. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Longest wait between two attempts. Default 5 000 ms. */
  readonly maxDelayMs?: number;
}

/** What the transport reports about its connection, for logs and health checks. */
export type RabbitMqConnectionEvent =
  | { readonly type: 'disconnected'; readonly error: unknown }
  | { readonly type: 'reconnected'; readonly attempts: number }
  | { readonly type: 'reconnect-failed'; readonly error: unknown; readonly attempt: number };

/** Options of `createRabbitMqTransport`. Every field is optional; defaults are listed per field. */
export interface RabbitMqTransportOptions {
  /**
   * AMQP 0-9-1 URL, credentials and vhost included. Default `amqp://guest:guest@127.0.0.1:5672`.
   * A `heartbeat` query parameter wins over `heartbeatMs`.
   */
  readonly url?: string;
  /**
   * Partition queues per consumer group. Each message goes to one partition (by key, else round
   * robin); each partition queue has a single active consumer, which is how per-key order survives
   * competing consumers. Fixed for the life of a topic: every publisher and subscriber of a topic must
   * use the same value. Default 4.
   */
  readonly partitions?: number;
  /**
   * Unacknowledged messages the broker may push to one partition consumer. Default: the
   * subscription's `maxInFlight`. Handlers never run more than `maxInFlight` at once either way.
   */
  readonly prefetch?: number;
  /** TCP connect plus AMQP handshake deadline. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /** AMQP heartbeat interval; a dead peer is noticed after about twice this. Default 10 000 ms. */
  readonly heartbeatMs?: number;
  /** Reconnection schedule after the connection drops. */
  readonly reconnect?: RabbitMqReconnectOptions;
  /**
   * How long `publish` and `subscribe` wait for a connection while the transport is reconnecting
   * before they reject with `EDDY_CONNECTION_FAILED`, and how long a publish waits for the broker's
   * confirms before it rejects with `EDDY_TIMEOUT`. Default 30 000 ms.
   */
  readonly operationTimeoutMs?: number;
  /** Largest accepted message (payload + key + headers). Default 16 MiB; RabbitMQ's own ceiling is 128 MiB. */
  readonly maxMessageBytes?: number;
  /**
   * Smallest step of the delay ladder used for `Nack.delayMs` and `deliverAt`. Delays are built from
   * TTL queues of `baseDelayMs * 2^n` ms, so a delay is honoured to within this much. Default 50 ms.
   */
  readonly baseDelayMs?: number;
  /**
   * How often a member re-checks its share of the group's partitions, which is how partitions of a
   * member that died without leaving (its connection dropped) are taken over. Joins and orderly
   * leaves rebalance at once. Default 2 000 ms.
   */
  readonly rebalanceIntervalMs?: number;
  /** First segment of every exchange and queue name Eddy declares. Default `eddy`. */
  readonly namePrefix?: string;
  /** Told about disconnections and reconnections. Must not throw. Default: none. */
  readonly onConnectionEvent?: (event: RabbitMqConnectionEvent) => void;
  /**
   * How events are written (CloudEvents AMQP protocol binding). `'binary'` (default): attributes
   * as `cloudEvents_<name>` header-table entries (AMQP application properties), `datacontenttype`
   * as the content-type property, the data as the body. `'structured'`: the whole event as one
   * `application/cloudevents+json` body. Both modes are read, and so is `cloudEvents:<name>`.
   */
  readonly cloudEventsMode?: CloudEventMode;
  /**
   * Classic queues declared with `x-max-priority` 9 instead of quorum queues, and each message
   * published with its `ce-priority` header (0-9) as its AMQP priority: the broker hands the most
   * urgent waiting message out first, and the bus publishes every priority level to the topic itself
   * instead of lanes (`capabilities.priority`). Classic queues are not replicated and keep no
   * delivery count, so Eddy carries the count in a header (a nack re-publishes the message with the
   * count raised, then acks the original). Every publisher and subscriber of a topic must use the
   * same value, like `partitions`: a bus over a transport without it publishes urgent events to
   * `<topic>.priority-<n>` lanes, which consumers with it never read. Fixed for the life of a group:
   * an existing queue of the other kind is refused with `EDDY_RABBITMQ_QUEUE_MISMATCH`. Default false.
   */
  readonly priorityQueues?: boolean;
  /**
   * Bind the queues of a group whose subscription filter has an exact type through a headers
   * exchange, so messages of other types (and other values of the filter's `exact` attributes)
   * never reach them; the subscriber still applies the whole filter. Messages the broker drops are
   * not seen, so not reported to `onFiltered`. Needs every publisher of the topic to be an Eddy
   * that marks untyped messages (this version or later): an older publisher's message without a
   * binary-mode type would be dropped where the contract delivers it. Default false.
   */
  readonly brokerFilters?: boolean;
}

/** Where the transport connects when `url` is not given. */
export const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';
/** Partition queues per consumer group when `partitions` is not given. */
export const DEFAULT_PARTITIONS = 4;
/** Largest message `publish` accepts when `maxMessageBytes` is not given. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_HEARTBEAT_MS = 10_000;
const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 100;
const DEFAULT_RECONNECT_MAX_DELAY_MS = 5_000;
const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
const DEFAULT_BASE_DELAY_MS = 50;
const DEFAULT_REBALANCE_INTERVAL_MS = 2_000;
const DEFAULT_NAME_PREFIX = 'eddy';
// RabbitMQ refuses anything above 128 MiB (max_message_size's hard ceiling).
const BROKER_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export interface ResolvedRabbitMqOptions {
  readonly url: string;
  readonly partitions: number;
  readonly prefetch: number | undefined;
  readonly connectTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly initialReconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly operationTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly baseDelayMs: number;
  readonly rebalanceIntervalMs: number;
  readonly namePrefix: string;
  readonly onConnectionEvent: (event: RabbitMqConnectionEvent) => void;
  readonly cloudEventsMode: CloudEventMode;
  readonly priorityQueues: boolean;
  readonly brokerFilters: boolean;
}

function integerAtLeast(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`${name} must be an integer from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

function booleanOption(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new InvalidOptionError(`${name} must be true or false, got ${String(value)}.`);
  return value;
}

/** Validates the options and fills in the documented defaults. */
export function resolveOptions(options: RabbitMqTransportOptions): ResolvedRabbitMqOptions {
  const url = options.url ?? DEFAULT_URL;
  if (!/^amqps?:\/\//.test(url)) {
    throw new InvalidOptionError(
      `url must start with amqp:// or amqps://, got "${redactUrl(url)}". Example: ${DEFAULT_URL}`,
    );
  }
  const namePrefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(namePrefix) || namePrefix.startsWith('amq.')) {
    throw new InvalidOptionError(
      `namePrefix "${namePrefix}" may only contain letters, digits, ".", "_" and "-", and must not start with "amq.".`,
    );
  }
  const initialReconnectDelayMs = integerAtLeast(
    'reconnect.initialDelayMs',
    options.reconnect?.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS,
    1,
  );
  return {
    url,
    partitions: integerAtLeast('partitions', options.partitions ?? DEFAULT_PARTITIONS, 1, 1024),
    prefetch:
      options.prefetch === undefined ? undefined : integerAtLeast('prefetch', options.prefetch, 1, 65_535),
    connectTimeoutMs: integerAtLeast(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      1,
    ),
    heartbeatMs: integerAtLeast('heartbeatMs', options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, 0),
    initialReconnectDelayMs,
    maxReconnectDelayMs: integerAtLeast(
      'reconnect.maxDelayMs',
      options.reconnect?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
      initialReconnectDelayMs,
    ),
    operationTimeoutMs: integerAtLeast(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      1,
    ),
    maxMessageBytes: integerAtLeast(
      'maxMessageBytes',
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      1,
      BROKER_MAX_MESSAGE_BYTES,
    ),
    baseDelayMs: integerAtLeast('baseDelayMs', options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS, 1, 2 ** 31),
    rebalanceIntervalMs: integerAtLeast(
      'rebalanceIntervalMs',
      options.rebalanceIntervalMs ?? DEFAULT_REBALANCE_INTERVAL_MS,
      10,
    ),
    namePrefix,
    onConnectionEvent: options.onConnectionEvent ?? (() => undefined),
    cloudEventsMode: resolveCloudEventsMode(options.cloudEventsMode, 'RabbitMQ option cloudEventsMode'),
    priorityQueues: booleanOption('priorityQueues', options.priorityQueues ?? false),
    brokerFilters: booleanOption('brokerFilters', options.brokerFilters ?? false),
  };
}
