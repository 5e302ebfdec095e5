import type { Pool } from 'pg';
import { InvalidOptionError, redactUrl } from '@eddy/core/internal';

/** Retention limits of a topic, as in the SQLite transport. A limit left out (or 0) does not apply. */
export interface PostgresRetention {
  /** Remove messages published longer ago than this (by the database clock). Default: keep forever. */
  readonly retentionMs?: number;
  /** Keep at most this many messages per partition (the newest). Default: no limit. */
  readonly retentionMessages?: number;
}

/** Options of `createPostgresTransport`. Give either `connectionString` or `pool`. */
export interface PostgresTransportOptions {
  /**
   * Where to connect, e.g. `postgres://user:password@127.0.0.1:5432/app`. The transport opens a pool
   * of its own and closes it on `close()`.
   */
  readonly connectionString?: string;
  /**
   * A pool to reuse instead of opening one (so Eddy and the application share connections). The
   * transport never ends it. LISTEN/NOTIFY uses one extra dedicated client created from the pool's
   * connection options.
   */
  readonly pool?: Pool;
  /** Schema holding Eddy's tables and functions, created by the migration. Default `'eddy'`. */
  readonly schema?: string;
  /** Partitions of a topic created by this transport (the first publish or subscribe creates it). Default 4. */
  readonly partitions?: number;
  /** Size of the pool the transport opens (ignored with `pool`). Default 10. */
  readonly poolSize?: number;
  /** Longest wait for a new connection before failing with `EDDY_CONNECTION_FAILED`. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * An idle subscriber checks for work at least this often, even without a NOTIFY (missed
   * notifications during a reconnect, another member's ack unblocking a key). Default 500 ms.
   */
  readonly pollIntervalMs?: number;
  /**
   * Base of the backoff before reconnecting the LISTEN client or retrying a failed fetch or ack
   * write: the n-th failure in a row waits a random time up to `reconnectDelayMs * 2^(n-1)`, capped
   * at `maxReconnectDelayMs` (full jitter, so members do not retry in step). Default 100 ms.
   */
  readonly reconnectDelayMs?: number;
  /** Upper bound of the reconnect backoff. Default 5 000 ms. */
  readonly maxReconnectDelayMs?: number;
  /** Largest accepted message (payload + key + headers), bytes. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** `application_name` of the transport's connections, visible in `pg_stat_activity`. Default `'eddy'`. */
  readonly applicationName?: string;
  /**
   * Retention applied to every topic of the schema, limit by limit, unless `topics` sets that limit
   * for the topic. Kafka-like: it never waits for slow groups, which get `EDDY_POSITION_LOST`.
   * Default: keep everything.
   */
  readonly retention?: PostgresRetention;
  /** Retention of individual topics, by name; a limit set here (0 = none) replaces `retention`'s. Default none. */
  readonly topics?: Readonly<Record<string, PostgresRetention>>;
  /**
   * How often this transport runs a retention pass when any limit is set; 0 never (another process,
   * or `applyRetention()`, trims). Processes sharing a schema take turns under an advisory lock, and
   * the one that trims applies its own limits, so give them the same retention options. Default 60 000 ms.
   */
  readonly retentionIntervalMs?: number;
  /**
   * Receives errors no caller can catch: a group whose position fell behind retention
   * (`PositionLostError`, code `EDDY_POSITION_LOST`), and errors the transport recovers from by
   * itself (lost connections, failed fetches, a failed retention pass). Default: emits a process warning.
   */
  readonly onError?: (error: Error) => void;
}

export interface ResolvedPostgresOptions {
  readonly connectionString: string | undefined;
  readonly pool: Pool | undefined;
  readonly schema: string;
  readonly partitions: number;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly maxMessageBytes: number;
  readonly applicationName: string;
  readonly retention: PostgresRetention;
  readonly topics: Readonly<Record<string, PostgresRetention>>;
  readonly retentionIntervalMs: number;
  readonly onError: (error: Error) => void;
}

export const DEFAULT_SCHEMA = 'eddy';
export const DEFAULT_PARTITIONS = 4;
export const DEFAULT_POLL_INTERVAL_MS = 500;
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_RECONNECT_DELAY_MS = 100;
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 5_000;
export const DEFAULT_APPLICATION_NAME = 'eddy';

// Lower-case identifiers only, so the schema never needs case-sensitive quoting by users, and short
// enough that the NOTIFY channel derived from it stays under PostgreSQL's 63-byte identifier limit.
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

/** Throws `EDDY_INVALID_OPTION` unless `schema` is a plain lower-case SQL identifier of at most 48 characters. */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new InvalidOptionError(
      `schema "${schema}" must be a lower-case SQL identifier (letters, digits, "_", not starting with a digit) of at most 48 characters.`,
    );
  }
}

/** Throws `EDDY_INVALID_OPTION` unless `value` is a postgres:// URL (or pg's socket: form) that parses. */
export function assertConnectionString(value: string): void {
  const example = 'postgres://user:password@127.0.0.1:5432/database';
  if (typeof value !== 'string' || !/^(postgres|postgresql|socket):/i.test(value)) {
    throw new InvalidOptionError(
      `connectionString must be a URL like ${example}, got "${redactUrl(String(value))}".`,
    );
  }
  if (/^socket:/i.test(value)) return;
  try {
    new URL(value);
  } catch {
    throw new InvalidOptionError(
      `connectionString "${redactUrl(value)}" is not a valid URL (check the port and any special characters, ` +
        `which must be percent-encoded), e.g. ${example}.`,
    );
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(`${name} must be a positive integer, got ${value}.`);
  }
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(`${name} must be an integer >= 0, got ${value}.`);
  }
  return value;
}

/** Throws `EDDY_INVALID_OPTION` unless every limit is an integer >= 0. */
function checkRetention(where: string, retention: PostgresRetention | undefined): PostgresRetention {
  if (retention === null || typeof retention !== 'object') {
    throw new InvalidOptionError(
      `${where} must be an object like { retentionMs: 86_400_000 }, got ${String(retention)}.`,
    );
  }
  for (const name of ['retentionMs', 'retentionMessages'] as const) {
    const value = retention[name];
    if (value !== undefined) nonNegativeInteger(`${where}.${name}`, value);
  }
  return retention;
}

// Node's timers overflow past 2^31 - 1 ms and would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

function retentionInterval(value: number): number {
  nonNegativeInteger('retentionIntervalMs', value);
  if (value > MAX_TIMER_MS) {
    throw new InvalidOptionError(
      `retentionIntervalMs must be at most ${MAX_TIMER_MS} (about 24 days), got ${value}.`,
    );
  }
  return value;
}

/** Validates the options (`EDDY_INVALID_OPTION` naming the one at fault) and fills in the defaults. */
export function resolvePostgresOptions(options: PostgresTransportOptions): ResolvedPostgresOptions {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw new InvalidOptionError(
      'createPostgresTransport needs exactly one of connectionString (e.g. postgres://user@127.0.0.1:5432/app) or pool.',
    );
  }
  if (options.connectionString !== undefined) assertConnectionString(options.connectionString);
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const partitions = positiveInteger('partitions', options.partitions ?? DEFAULT_PARTITIONS);
  if (partitions > 1024) throw new InvalidOptionError(`partitions must be at most 1024, got ${partitions}.`);
  const topics = options.topics ?? {};
  for (const [name, limits] of Object.entries(topics)) checkRetention(`topics.${name}`, limits);
  return {
    connectionString: options.connectionString,
    pool: options.pool,
    schema,
    partitions,
    poolSize: positiveInteger('poolSize', options.poolSize ?? DEFAULT_POOL_SIZE),
    connectTimeoutMs: positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    pollIntervalMs: positiveInteger('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
    reconnectDelayMs: positiveInteger(
      'reconnectDelayMs',
      options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS,
    ),
    maxReconnectDelayMs: positiveInteger(
      'maxReconnectDelayMs',
      options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    ),
    maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
    applicationName: options.applicationName ?? DEFAULT_APPLICATION_NAME,
    retention: checkRetention('retention', options.retention ?? {}),
    topics,
    retentionIntervalMs: retentionInterval(options.retentionIntervalMs ?? DEFAULT_RETENTION_INTERVAL_MS),
    onError:
      options.onError ??
      ((error: Error) => {
        process.emitWarning(error);
      }),
  };
}
