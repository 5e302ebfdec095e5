import type { CloudEventMode } from '@eddy/core/cloudevents';
import { InvalidOptionError, resolveCloudEventsMode } from '@eddy/core/internal';

/** Options of `createNatsTransport`. Every field is optional; defaults are listed per field. */
export interface NatsTransportOptions {
  /** NATS server URLs (`host:port` or `nats://host:port`). Default `'127.0.0.1:4222'`. */
  readonly servers?: string | readonly string[];
  /** User name for user/password auth. Default none. */
  readonly user?: string;
  /** Password for user/password auth. Default none. */
  readonly pass?: string;
  /** Token for token auth. Default none. */
  readonly token?: string;
  /** Connection name shown in the server's monitoring. Default `'eddy'`. */
  readonly name?: string;
  /**
   * Prefix of every stream (`<prefix>_<topic>`) and subject (`<prefix>.<topic>.<partition>`) Eddy
   * creates. Letters, digits, `_` and `-`. Default `'eddy'`.
   */
  readonly prefix?: string;
  /**
   * Partitions (subjects) per topic, set when the topic's stream is created. A key always maps to
   * the same partition (`partitionForKey`), so this must not change while a topic lives: a stream
   * created with another count is refused with `EDDY_INVALID_OPTION`. Default 8.
   */
  readonly partitions?: number;
  /** Stream storage. `'memory'` streams do not survive a server restart (`capabilities.durable` turns false). Default `'file'`. */
  readonly storage?: 'file' | 'memory';
  /** Stream replicas (needs a cluster for more than 1). Default 1. */
  readonly replicas?: number;
  /** Retention limit: messages older than this are removed. 0 keeps them forever. Default 0. */
  readonly maxAgeMs?: number;
  /** Retention limit: stream size in bytes, oldest removed first. -1 is unlimited. Default -1. */
  readonly maxBytes?: number;
  /** Retention limit: message count, oldest removed first. -1 is unlimited. Default -1. */
  readonly maxMessages?: number;
  /**
   * `max_ack_pending` of each (group, partition) consumer: how many messages of one partition a
   * group may hold unacknowledged. 1 (the default) gives strict per-key order across competing
   * members; larger values raise throughput but give up per-key order, and
   * `capabilities.orderingPerKey` reports false. Default 1.
   */
  readonly maxAckPendingPerPartition?: number;
  /**
   * `max_deliver` of each consumer: deliveries after which JetStream stops redelivering a message.
   * -1 is unlimited, which is what Eddy's retry middleware expects (it dead-letters after its own
   * attempt count instead of letting the server drop the message silently). Default -1.
   */
  readonly maxDeliver?: number;
  /** How long the first connection attempt may take before `EDDY_CONNECTION_FAILED`. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Pause between reconnection attempts after a lost connection. Default 1 000 ms. */
  readonly reconnectTimeWaitMs?: number;
  /** Reconnection attempts after a lost connection; -1 retries forever. Default -1. */
  readonly maxReconnectAttempts?: number;
  /** Deadline of each publish acknowledgement and JetStream API call. Default 5 000 ms. */
  readonly requestTimeoutMs?: number;
  /**
   * Called with errors of background work (pull loops retrying after a lost connection). They are
   * retried regardless; this is for logging. Default: ignored.
   */
  readonly onError?: (error: Error) => void;
  /**
   * How events are written (CloudEvents NATS protocol binding). `'binary'` (default): attributes
   * in `ce-<name>` headers with percent-encoded values, `datacontenttype` in `ce-datacontenttype`,
   * the data as the payload. `'structured'`: the whole event as one payload with
   * `content-type: application/cloudevents+json`. Both modes are read.
   */
  readonly cloudEventsMode?: CloudEventMode;
}

/** Where the transport connects when `servers` is not given. */
export const DEFAULT_SERVERS = '127.0.0.1:4222';
/** Partitions (subjects) per topic when `partitions` is not given. */
export const DEFAULT_PARTITIONS = 8;
const DEFAULT_NAME = 'eddy';
const DEFAULT_PREFIX = 'eddy';
const DEFAULT_STORAGE = 'file';
const DEFAULT_REPLICAS = 1;
const DEFAULT_MAX_ACK_PENDING_PER_PARTITION = 1;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_RECONNECT_TIME_WAIT_MS = 1_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
// Retention and redelivery limits: 0 and -1 mean "none" to JetStream.
const UNLIMITED_AGE_MS = 0;
const UNLIMITED = -1;

export interface ResolvedNatsOptions {
  readonly servers: string[];
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly name: string;
  readonly prefix: string;
  readonly partitions: number;
  readonly storage: 'file' | 'memory';
  readonly replicas: number;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly maxMessages: number;
  readonly maxAckPendingPerPartition: number;
  readonly maxDeliver: number;
  readonly connectTimeoutMs: number;
  readonly reconnectTimeWaitMs: number;
  readonly maxReconnectAttempts: number;
  readonly requestTimeoutMs: number;
  readonly onError: (error: Error) => void;
  readonly cloudEventsMode: CloudEventMode;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_-]+$/;

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(`NATS option ${name} must be an integer >= ${min}, got ${value}.`);
  }
  return value;
}

/** Validates options and fills in the documented defaults. */
export function resolveOptions(options: NatsTransportOptions): ResolvedNatsOptions {
  const servers = options.servers ?? DEFAULT_SERVERS;
  const list = typeof servers === 'string' ? [servers] : [...servers];
  if (list.length === 0) throw new InvalidOptionError('NATS option servers must list at least one server.');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new InvalidOptionError(
      `NATS option prefix "${prefix}" may only contain letters, digits, "_" and "-" (it is a subject token and part of stream names).`,
    );
  }
  const storage = options.storage ?? DEFAULT_STORAGE;
  if (storage !== 'file' && storage !== 'memory') {
    throw new InvalidOptionError(`NATS option storage must be "file" or "memory", got "${String(storage)}".`);
  }
  return {
    servers: list,
    user: options.user,
    pass: options.pass,
    token: options.token,
    name: options.name ?? DEFAULT_NAME,
    prefix,
    partitions: integerAtLeast('partitions', options.partitions ?? DEFAULT_PARTITIONS, 1),
    storage,
    replicas: integerAtLeast('replicas', options.replicas ?? DEFAULT_REPLICAS, 1),
    maxAgeMs: integerAtLeast('maxAgeMs', options.maxAgeMs ?? UNLIMITED_AGE_MS, 0),
    maxBytes: integerAtLeast('maxBytes', options.maxBytes ?? UNLIMITED, -1),
    maxMessages: integerAtLeast('maxMessages', options.maxMessages ?? UNLIMITED, -1),
    maxAckPendingPerPartition: integerAtLeast(
      'maxAckPendingPerPartition',
      options.maxAckPendingPerPartition ?? DEFAULT_MAX_ACK_PENDING_PER_PARTITION,
      1,
    ),
    maxDeliver:
      (options.maxDeliver ?? UNLIMITED) === UNLIMITED
        ? UNLIMITED
        : integerAtLeast('maxDeliver', options.maxDeliver ?? UNLIMITED, 1),
    connectTimeoutMs: integerAtLeast(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      1,
    ),
    reconnectTimeWaitMs: integerAtLeast(
      'reconnectTimeWaitMs',
      options.reconnectTimeWaitMs ?? DEFAULT_RECONNECT_TIME_WAIT_MS,
      0,
    ),
    maxReconnectAttempts: integerAtLeast(
      'maxReconnectAttempts',
      options.maxReconnectAttempts ?? UNLIMITED,
      -1,
    ),
    requestTimeoutMs: integerAtLeast(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      1,
    ),
    onError: options.onError ?? (() => undefined),
    cloudEventsMode: resolveCloudEventsMode(options.cloudEventsMode, 'NATS option cloudEventsMode'),
  };
}
