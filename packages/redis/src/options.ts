import { type EddyError } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import type { RedisOptions } from 'ioredis';

/** How long a topic keeps its messages. Trimming is approximate (`~`): Redis trims whole nodes, so a stream may briefly hold a little more. */
export interface RedisRetention {
  /** Keep about this many newest entries per partition stream (`XADD MAXLEN ~`). Default: unbounded. */
  readonly maxLen?: number;
  /** Drop entries older than this (`XADD MINID ~ <now - minAgeMs>`), milliseconds. Default: unbounded. */
  readonly minAgeMs?: number;
}

/**
 * Options of `createRedisTransport`. Every field is optional; defaults are listed per field.
 *
 * Reconnects: the first connection fails fast with `ConnectionError` / `AuthError`; once connected,
 * ioredis reconnects on its own with a capped backoff (`reconnectMaxDelayMs`), publishes issued while
 * disconnected wait in its offline queue, and subscriptions resume without a manual step.
 */
export interface RedisTransportOptions {
  /** Redis URL, `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** ioredis options, applied over what `url` says (host, port, password, tls, ...). Default none. */
  readonly redis?: RedisOptions;
  /** Prefix of every key Eddy writes. Default `'eddy:'`. */
  readonly prefix?: string;
  /**
   * Streams per topic. A message's key picks its stream (`partitionForKey`), unkeyed messages are spread
   * round-robin. Every producer and consumer of a topic must agree: the count is recorded on first use
   * and a mismatch is rejected. Default 4.
   */
  readonly partitions?: number;
  /** Trimming applied on publish. Default: none (streams grow until trimmed elsewhere). */
  readonly retention?: RedisRetention;
  /**
   * How often a subscriber checks, per partition it owns, whether retention trimmed entries its group
   * had not read yet (reported as `PositionLostError` through `onError`), ms. Checks run only on topics
   * a publisher with `retention` wrote to, and on Redis 7 or newer. Default 5 000.
   */
  readonly trimCheckIntervalMs?: number;
  /** Largest accepted message (payload + key + headers), bytes. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** How long one `XREADGROUP BLOCK` waits before the loop looks around again, ms. Default 1 000. */
  readonly blockMs?: number;
  /** How often a subscriber renews its partition leases and looks for new or departed members, ms. Default 1 000. */
  readonly heartbeatIntervalMs?: number;
  /** A member that has not renewed for this long loses its partitions to the others, ms. Default 10 000. */
  readonly sessionTimeoutMs?: number;
  /** Give up on the first connection after this long, ms. Default 5 000. */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait between reconnect attempts after the connection was lost, ms: the n-th attempt
   * waits a random time up to `100 * 2^(n-1)` ms, capped here (full jitter). Default 2 000.
   */
  readonly reconnectMaxDelayMs?: number;
  /**
   * Receives errors of background work (fetching, lease renewal, acks) that no caller awaits; the
   * transport keeps going and retries. Also receives `PositionLostError` (`EDDY_POSITION_LOST`) when
   * retention removed messages a group had not processed; consumption goes on with what remains.
   * Default: `console.error`.
   */
  readonly onError?: (error: EddyError) => void;
}

/** `RedisTransportOptions` validated, every default filled in. */
export interface ResolvedRedisOptions {
  readonly url: string;
  readonly redis: RedisOptions;
  readonly prefix: string;
  readonly partitions: number;
  readonly retention: RedisRetention;
  readonly trimCheckIntervalMs: number;
  readonly maxMessageBytes: number;
  readonly blockMs: number;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly onError: (error: EddyError) => void;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_PREFIX = 'eddy:';
export const DEFAULT_PARTITIONS = 4;
export const DEFAULT_TRIM_CHECK_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
export const DEFAULT_BLOCK_MS = 1_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 2_000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(`Redis transport option ${name} must be a positive integer, got ${value}.`);
  }
  return value;
}

/** Validates the options and fills in the documented defaults. */
export function resolveRedisOptions(options: RedisTransportOptions): ResolvedRedisOptions {
  const url = options.url ?? DEFAULT_REDIS_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError(
      `Redis url "${url}" is not a URL. Use redis://[user:password@]host:port[/db], e.g. ${DEFAULT_REDIS_URL}.`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidOptionError(
      `Redis url "${url}" must start with redis:// or rediss://, e.g. ${DEFAULT_REDIS_URL}.`,
    );
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string')
    throw new InvalidOptionError('Redis transport option prefix must be a string.');
  const retention = options.retention ?? {};
  if (retention.maxLen !== undefined) positiveInteger('retention.maxLen', retention.maxLen);
  if (retention.minAgeMs !== undefined) positiveInteger('retention.minAgeMs', retention.minAgeMs);
  const heartbeatIntervalMs = positiveInteger(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
  );
  const sessionTimeoutMs = positiveInteger(
    'sessionTimeoutMs',
    options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  );
  if (sessionTimeoutMs <= heartbeatIntervalMs * 2) {
    throw new InvalidOptionError(
      `sessionTimeoutMs (${sessionTimeoutMs}) must be more than twice heartbeatIntervalMs (${heartbeatIntervalMs}), or live members lose their partitions.`,
    );
  }
  return {
    url,
    redis: options.redis ?? {},
    prefix,
    partitions: positiveInteger('partitions', options.partitions ?? DEFAULT_PARTITIONS),
    retention,
    trimCheckIntervalMs: positiveInteger(
      'trimCheckIntervalMs',
      options.trimCheckIntervalMs ?? DEFAULT_TRIM_CHECK_INTERVAL_MS,
    ),
    maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
    blockMs: positiveInteger('blockMs', options.blockMs ?? DEFAULT_BLOCK_MS),
    heartbeatIntervalMs,
    sessionTimeoutMs,
    connectTimeoutMs: positiveInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ),
    reconnectMaxDelayMs: positiveInteger(
      'reconnectMaxDelayMs',
      options.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
    ),
    onError: options.onError ?? ((error) => console.error(error)),
  };
}
