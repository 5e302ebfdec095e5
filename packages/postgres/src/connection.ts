import { InvalidOptionError, redactUrl } from '@eddy/core/internal';
import pg from 'pg';
import { assertConnectionString } from './options.js';

/** Where a store connects: the caller's pool, or a connection string it opens its own pool for. */
export interface PoolSource {
  /** A pool to use; never ended by the store. */
  readonly pool?: pg.Pool;
  /** Where to connect when no pool is given; the store then owns its pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** Schema of the tables. Default `'eddy'`. */
  readonly schema?: string;
}

/** A pool or a connection string: exactly one of them is set. */
export interface PoolOrUrl {
  readonly pool?: pg.Pool | undefined;
  readonly connectionString?: string | undefined;
}

/** How `openPool` sets up a pool it opens itself. */
export interface OwnPoolSettings {
  /** `application_name` of its connections, visible in `pg_stat_activity`. */
  readonly applicationName: string;
  /** Most connections. Default pg's (10). */
  readonly max?: number;
  /** Longest wait for a new connection, ms. Default pg's (no limit). */
  readonly connectTimeoutMs?: number;
  /**
   * Receives errors of idle pooled connections (a server restart kills them; the pool drops them).
   * Default: ignored, the next query reports the outage.
   */
  readonly onIdleError?: (error: Error) => void;
}

/** A pool ready for use, what error messages call it, and whether closing it is ours to do. */
export interface OpenedPool {
  readonly pool: pg.Pool;
  /** True when `openPool` opened the pool (so `close()` ends it). */
  readonly owned: boolean;
  /** The server as error messages name it (`describeTarget`). */
  readonly where: string;
  /** Ends the pool if it is ours; never rejects. */
  close(): Promise<void>;
}

/**
 * The server as error messages name it, password masked: `PostgreSQL at
 * postgres://app:***@db:5432/app`, or for a caller's pool what its options say.
 */
export function describeTarget(source: PoolOrUrl): string {
  if (source.connectionString !== undefined) return `PostgreSQL at ${redactUrl(source.connectionString)}`;
  const options = source.pool?.options;
  if (options?.connectionString !== undefined) return `PostgreSQL at ${redactUrl(options.connectionString)}`;
  if (typeof options?.host === 'string') {
    const database = options.database === undefined ? '' : `/${options.database}`;
    return `PostgreSQL at ${options.host}:${options.port ?? 5432}${database}`;
  }
  return 'PostgreSQL (caller-supplied pool)';
}

/**
 * The caller's pool, or a new one on `source.connectionString`. `what` names the caller in the
 * error for a missing or doubled source, e.g. `createPostgresOutbox`.
 */
export function openPool(source: PoolOrUrl, what: string, settings: OwnPoolSettings): OpenedPool {
  if ((source.pool === undefined) === (source.connectionString === undefined)) {
    throw new InvalidOptionError(
      `${what} needs exactly one of connectionString (e.g. postgres://user@127.0.0.1:5432/app) or pool.`,
    );
  }
  const where = describeTarget(source);
  if (source.pool !== undefined) {
    return { pool: source.pool, owned: false, where, close: () => Promise.resolve() };
  }
  assertConnectionString(source.connectionString!);
  const pool = new pg.Pool({
    connectionString: source.connectionString,
    application_name: settings.applicationName,
    ...(settings.max === undefined ? {} : { max: settings.max }),
    ...(settings.connectTimeoutMs === undefined
      ? {}
      : { connectionTimeoutMillis: settings.connectTimeoutMs }),
  });
  // An idle pooled connection killed by the server must not crash the process.
  pool.on('error', settings.onIdleError ?? (() => undefined));
  let ended: Promise<void> | undefined;
  return {
    pool,
    owned: true,
    where,
    close: () => (ended ??= pool.end().catch(() => undefined)),
  };
}

/**
 * A fresh, unconnected client with the pool's connection settings, for a LISTEN (which needs a
 * session of its own, never a pooled one). `overrides` replace single settings, e.g. its name.
 */
export function listenClient(pool: pg.Pool, overrides: pg.ClientConfig = {}): pg.Client {
  return new pg.Client({ ...pool.options, ...overrides });
}
