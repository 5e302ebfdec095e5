import { InvalidOptionError } from '@eddy/core/internal';

/** Retention limits of a topic. A limit left out (or 0) does not apply. */
export interface RetentionOptions {
  /** Remove messages published longer ago than this. Default: keep forever. */
  readonly retentionMs?: number;
  /** Keep at most this many messages per partition (the newest). Default: no limit. */
  readonly retentionMessages?: number;
  /** Keep at most this many bytes (payload + key + headers) per partition. Default: no limit. */
  readonly retentionBytes?: number;
}

/** Settings of one topic, fixed when the topic is first created (retention can be changed later by `admin.createTopic`). */
export interface TopicOptions extends RetentionOptions {
  /** Partitions of the topic. Default: the transport's `partitions`. Cannot change once the topic exists. */
  readonly partitions?: number;
}

/** Durability of a commit. See docs/adapters/sqlite.md for what each mode risks. */
export type SynchronousMode = 'full' | 'normal';

/** Partitions of a topic the transport creates unless `partitions` or `topics` says otherwise. */
export const DEFAULT_PARTITIONS = 8;
/** Commit durability unless `synchronous` says otherwise. */
export const DEFAULT_SYNCHRONOUS: SynchronousMode = 'full';
/** How long the writer waits for more publishes before committing, ms. */
export const DEFAULT_GROUP_COMMIT_WINDOW_MS = 0;
/** Most messages written in one commit. */
export const DEFAULT_MAX_BATCH_MESSAGES = 10_000;
/** How often to look for commits of other processes on the same file, ms. */
export const DEFAULT_POLL_INTERVAL_MS = 50;
/** How often retention runs, ms. */
export const DEFAULT_RETENTION_INTERVAL_MS = 5_000;
/** Longest delay between a handler settling and its acknowledgement being committed, ms. */
export const DEFAULT_ACK_COMMIT_INTERVAL_MS = 10;
/** Messages fetched from a partition per read. */
export const DEFAULT_FETCH_BATCH_SIZE = 500;
/** How far a group may run ahead of its oldest unsettled message in one partition, in offsets. */
export const DEFAULT_MAX_UNACKED_WINDOW = 10_000;
/** Largest accepted message (payload + key + headers), bytes. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long a write waits for another process's write lock, ms. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Options of `createSqliteTransport`. Only `path` is required; each default is listed per field. */
export interface SqliteTransportOptions {
  /**
   * Database file. Created with its tables when missing. `':memory:'` works for a single transport
   * instance (tests, demos) but cannot be shared between instances or processes.
   */
  readonly path: string;
  /** Partitions of a topic created by this transport. Default 8. */
  readonly partitions?: number;
  /** Per-topic settings for topics this transport creates, by topic name. */
  readonly topics?: Readonly<Record<string, TopicOptions>>;
  /** Retention applied to topics without their own limits. Default: keep everything. */
  readonly retention?: RetentionOptions;
  /**
   * `'full'` (default): a resolved publish survives power loss (fsync on every commit).
   * `'normal'`: survives a crash of the process, but the last commits can be lost on power loss or an OS crash.
   */
  readonly synchronous?: SynchronousMode;
  /**
   * How long the writer waits for more publishes before committing a batch. Default 0: the batch is
   * whatever arrived before the next turn of the event loop, which already groups concurrent publishes.
   */
  readonly groupCommitWindowMs?: number;
  /** Most messages written in one commit. Default 10 000. */
  readonly maxBatchMessages?: number;
  /**
   * How often to look for commits made by other processes on the same file. Wake-up inside one
   * process is immediate; across processes it takes up to this long. Default 50 ms.
   */
  readonly pollIntervalMs?: number;
  /** How often retention runs. Default 5 000 ms. */
  readonly retentionIntervalMs?: number;
  /**
   * Acknowledgements are committed in batches, at most this long after the handler settles. A crash
   * inside that window redelivers those messages (at-least-once). Default 10 ms.
   */
  readonly ackCommitIntervalMs?: number;
  /** Messages fetched from a partition per read. Default 500. */
  readonly fetchBatchSize?: number;
  /**
   * How far (in offsets) a group may run ahead of its oldest unsettled message in one partition;
   * bounds the acknowledged-set kept above the ack floor. Default 10 000.
   */
  readonly maxUnackedWindow?: number;
  /** Largest message accepted (payload + key + headers), bytes. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** How long a write waits for another process's write lock before failing. Default 5 000 ms. */
  readonly busyTimeoutMs?: number;
  /**
   * Receives errors that no caller can catch: a group whose position fell behind retention
   * (`PositionLostError`, code `EDDY_POSITION_LOST`), a failed background commit. Default: emits a
   * process warning.
   */
  readonly onError?: (error: Error) => void;
}

/** `SqliteTransportOptions` validated, every default filled in. */
export interface ResolvedSqliteOptions {
  readonly path: string;
  readonly partitions: number;
  readonly topics: Readonly<Record<string, TopicOptions>>;
  readonly retention: RetentionOptions;
  readonly synchronous: SynchronousMode;
  readonly groupCommitWindowMs: number;
  readonly maxBatchMessages: number;
  readonly pollIntervalMs: number;
  readonly retentionIntervalMs: number;
  readonly ackCommitIntervalMs: number;
  readonly fetchBatchSize: number;
  readonly maxUnackedWindow: number;
  readonly maxMessageBytes: number;
  readonly busyTimeoutMs: number;
  readonly onError: (error: Error) => void;
}

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new InvalidOptionError(`${name} must be an integer >= ${min}, got ${resolved}.`);
  }
  return resolved;
}

/** Validates retention limits; 0 and undefined both mean "no limit". */
export function checkRetention(where: string, retention: RetentionOptions): RetentionOptions {
  for (const name of ['retentionMs', 'retentionMessages', 'retentionBytes'] as const) {
    const value = retention[name];
    if (value !== undefined) integer(`${where}.${name}`, value, 0, 0);
  }
  return retention;
}

/** Validates the options (`EDDY_INVALID_OPTION` naming the one at fault) and fills in the defaults. */
export function resolveSqliteOptions(options: SqliteTransportOptions): ResolvedSqliteOptions {
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new InvalidOptionError('path must name the database file, e.g. { path: "./eddy.db" }.');
  }
  const synchronous = options.synchronous ?? DEFAULT_SYNCHRONOUS;
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new InvalidOptionError(`synchronous must be 'full' or 'normal', got ${String(synchronous)}.`);
  }
  const topics = options.topics ?? {};
  for (const [name, topic] of Object.entries(topics)) {
    checkRetention(`topics.${name}`, topic);
    if (topic.partitions !== undefined) integer(`topics.${name}.partitions`, topic.partitions, 1, 1);
  }
  return {
    path: options.path,
    partitions: integer('partitions', options.partitions, DEFAULT_PARTITIONS, 1),
    topics,
    retention: checkRetention('retention', options.retention ?? {}),
    synchronous,
    groupCommitWindowMs: integer(
      'groupCommitWindowMs',
      options.groupCommitWindowMs,
      DEFAULT_GROUP_COMMIT_WINDOW_MS,
      0,
    ),
    maxBatchMessages: integer('maxBatchMessages', options.maxBatchMessages, DEFAULT_MAX_BATCH_MESSAGES, 1),
    pollIntervalMs: integer('pollIntervalMs', options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, 1),
    retentionIntervalMs: integer(
      'retentionIntervalMs',
      options.retentionIntervalMs,
      DEFAULT_RETENTION_INTERVAL_MS,
      1,
    ),
    ackCommitIntervalMs: integer(
      'ackCommitIntervalMs',
      options.ackCommitIntervalMs,
      DEFAULT_ACK_COMMIT_INTERVAL_MS,
      0,
    ),
    fetchBatchSize: integer('fetchBatchSize', options.fetchBatchSize, DEFAULT_FETCH_BATCH_SIZE, 1),
    maxUnackedWindow: integer('maxUnackedWindow', options.maxUnackedWindow, DEFAULT_MAX_UNACKED_WINDOW, 1),
    maxMessageBytes: integer('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 1),
    busyTimeoutMs: integer('busyTimeoutMs', options.busyTimeoutMs, DEFAULT_BUSY_TIMEOUT_MS, 0),
    onError:
      options.onError ??
      ((error: Error) => {
        process.emitWarning(error);
      }),
  };
}
