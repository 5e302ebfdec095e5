import type { CloudEventMode } from '@eddy/core/cloudevents';
import { InvalidOptionError, resolveCloudEventsMode } from '@eddy/core/internal';

/** SASL credentials (PLAIN or SCRAM). */
export interface KafkaSaslOptions {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** Options of `createKafkaTransport`. Every field is optional; defaults are listed per field. */
export interface KafkaTransportOptions {
  /** Bootstrap brokers, `host:port`. Default `['127.0.0.1:9092']`. */
  readonly brokers?: readonly string[];
  /** Client id shown in broker logs and quotas. Default `'eddy'`. */
  readonly clientId?: string;
  /** TLS: `true` for the system CAs. Default `false`. */
  readonly ssl?: boolean;
  /** SASL credentials. Default none. */
  readonly sasl?: KafkaSaslOptions;
  /** Partitions of topics Eddy creates (existing topics keep theirs). Default 8. */
  readonly partitions?: number;
  /** Replication factor of topics Eddy creates. Default 1 (a single broker). */
  readonly replicationFactor?: number;
  /**
   * Largest message accepted by `publish` (payload + key + headers). Keep it below the broker's
   * `message.max.bytes` (1 048 588 by default) minus record-batch overhead. Default 1 000 000.
   */
  readonly maxMessageBytes?: number;
  /**
   * How a nacked message comes back. `'retry-topic'` (default): it is produced to `<topic>.retry`
   * and handed back once its delay has passed, without holding back later messages of its key,
   * so `capabilities.orderingPerKey` is false. `'in-place'`: the consumer waits out the delay and
   * runs the handler again before later messages of the same key; order per key holds.
   */
  readonly nackRedelivery?: 'retry-topic' | 'in-place';
  /** TCP connection timeout. Default 3 000 ms. */
  readonly connectionTimeoutMs?: number;
  /** Request timeout. Default 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Retries of failed requests (and of the first connection) before an error. Default 5. */
  readonly retries?: number;
  /** Consumer session timeout: a member silent this long is removed from its group. Default 30 000 ms. */
  readonly sessionTimeoutMs?: number;
  /** Most often offsets are committed while messages are being acknowledged. Default 1 000 ms. */
  readonly commitIntervalMs?: number;
  /** kafkajs log level. Default `'error'`. */
  readonly logLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * How events are written (CloudEvents Kafka protocol binding). `'binary'` (default): attributes
   * in `ce_<name>` headers, `datacontenttype` in `content-type`, the data as the record value.
   * `'structured'`: the whole event as one `application/cloudevents+json` value. Either way the
   * record key is the `partitionkey` extension, and both modes are read.
   */
  readonly cloudEventsMode?: CloudEventMode;
}

/** Where the transport connects when `brokers` is not given. */
export const DEFAULT_BROKERS: readonly string[] = ['127.0.0.1:9092'];
/** Partitions of the topics Eddy creates when `partitions` is not given. */
export const DEFAULT_PARTITIONS = 8;
/** Largest message `publish` accepts when `maxMessageBytes` is not given. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;
const DEFAULT_CLIENT_ID = 'eddy';
const DEFAULT_REPLICATION_FACTOR = 1;
const DEFAULT_NACK_REDELIVERY = 'retry-topic';
const DEFAULT_CONNECTION_TIMEOUT_MS = 3_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 5;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
const DEFAULT_COMMIT_INTERVAL_MS = 1_000;
const DEFAULT_LOG_LEVEL = 'error';

export interface ResolvedKafkaOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly ssl: boolean;
  readonly sasl: KafkaSaslOptions | undefined;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly maxMessageBytes: number;
  readonly nackRedelivery: 'retry-topic' | 'in-place';
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly sessionTimeoutMs: number;
  readonly commitIntervalMs: number;
  readonly logLevel: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  readonly cloudEventsMode: CloudEventMode;
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(`Kafka option ${name} must be an integer >= ${min}, got ${value}.`);
  }
  return value;
}

const BROKER = /^[^\s:]+:\d{1,5}$/;

/** Validates options and fills in the documented defaults. */
export function resolveOptions(options: KafkaTransportOptions): ResolvedKafkaOptions {
  const brokers = [...(options.brokers ?? DEFAULT_BROKERS)];
  if (brokers.length === 0)
    throw new InvalidOptionError('Kafka option brokers must list at least one broker.');
  for (const broker of brokers) {
    if (!BROKER.test(broker)) {
      throw new InvalidOptionError(`Kafka broker "${broker}" is not host:port (e.g. "127.0.0.1:9092").`);
    }
  }
  const nackRedelivery = options.nackRedelivery ?? DEFAULT_NACK_REDELIVERY;
  if (nackRedelivery !== 'retry-topic' && nackRedelivery !== 'in-place') {
    throw new InvalidOptionError(
      `Kafka option nackRedelivery must be "retry-topic" or "in-place", got "${String(nackRedelivery)}".`,
    );
  }
  return {
    brokers,
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    ssl: options.ssl ?? false,
    sasl: options.sasl,
    partitions: integerAtLeast('partitions', options.partitions ?? DEFAULT_PARTITIONS, 1),
    replicationFactor: integerAtLeast(
      'replicationFactor',
      options.replicationFactor ?? DEFAULT_REPLICATION_FACTOR,
      1,
    ),
    maxMessageBytes: integerAtLeast(
      'maxMessageBytes',
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      1,
    ),
    nackRedelivery,
    connectionTimeoutMs: integerAtLeast(
      'connectionTimeoutMs',
      options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      1,
    ),
    requestTimeoutMs: integerAtLeast(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      1,
    ),
    retries: integerAtLeast('retries', options.retries ?? DEFAULT_RETRIES, 0),
    sessionTimeoutMs: integerAtLeast(
      'sessionTimeoutMs',
      options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      1,
    ),
    commitIntervalMs: integerAtLeast(
      'commitIntervalMs',
      options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS,
      0,
    ),
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
    cloudEventsMode: resolveCloudEventsMode(options.cloudEventsMode, 'Kafka option cloudEventsMode'),
  };
}
