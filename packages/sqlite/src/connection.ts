import BetterSqlite3 from 'better-sqlite3';
import { BackendError, InvalidOptionError } from '@eddy/core/internal';
import { LARGE_COMMITS_THRESHOLD_PAGES } from './checkpoint-threshold.js';
import type { ResolvedSqliteOptions } from './options.js';
import { LOG_SCHEMA } from './schema.js';

export type SqliteDatabase = BetterSqlite3.Database;

/** How long a store's write waits for another connection's lock unless told otherwise, ms. */
export const DEFAULT_STORE_BUSY_TIMEOUT_MS = 5_000;

/** The database as error messages name it: `SQLite database "./eddy.db"`. */
export function describeTarget(path: string): string {
  return path === ':memory:' || path === '' ? 'SQLite in-memory database' : `SQLite database "${path}"`;
}

/**
 * Opens the transport's log file with the settings every transport connection needs and creates
 * the log's tables. `synchronous` is the mode of this connection's commits.
 */
export function openLogDatabase(
  options: ResolvedSqliteOptions,
  synchronous = options.synchronous,
): SqliteDatabase {
  const where = describeTarget(options.path);
  let db: SqliteDatabase;
  try {
    db = new BetterSqlite3(options.path, { timeout: options.busyTimeoutMs });
  } catch (error) {
    throw new BackendError(
      `Cannot open ${where}: ${(error as Error).message}. Check the path and its permissions.`,
      { cause: error },
    );
  }
  try {
    if (options.path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // Reads of the log go through memory-mapped pages instead of a read() call per page.
    db.pragma('mmap_size = 268435456');
    db.pragma('cache_size = -32768');
    // Checkpoints normally run in a worker thread (checkpointer.ts); this high threshold only
    // bounds the WAL should that worker fall behind. A transport that flushes every commit
    // lowers it while its commits are small (checkpoint-threshold.ts).
    if (options.path !== ':memory:') db.pragma(`wal_autocheckpoint = ${LARGE_COMMITS_THRESHOLD_PAGES}`);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    db.pragma('foreign_keys = OFF');
    db.transaction(() => db.exec(LOG_SCHEMA)).immediate();
  } catch (error) {
    db.close();
    throw new BackendError(`Cannot prepare ${where}: ${(error as Error).message}.`, { cause: error });
  }
  return db;
}

/** How a store opens a file it was given by path. */
export interface StoreDatabaseOptions {
  /** How long a write waits for another process's lock, ms. Default 5 000. */
  readonly busyTimeoutMs?: number | undefined;
  /** The connection's commit durability. Default: SQLite's own (`FULL`). */
  readonly synchronous?: 'normal' | undefined;
}

/**
 * Opens a database file for a store: WAL, so readers never block the writer and a reader sees only
 * committed writes, and a busy timeout for other processes' write locks.
 */
export function openStoreDatabase(path: string, options: StoreDatabaseOptions = {}): SqliteDatabase {
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  if (options.synchronous === 'normal') db.pragma('synchronous = NORMAL');
  db.pragma(
    `busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_STORE_BUSY_TIMEOUT_MS))}`,
  );
  return db;
}

/**
 * A store's database: opened from `database` when it is a path (owned: the store closes it), or
 * the one given (left open).
 */
export function resolveStoreDatabase(
  database: SqliteDatabase | string,
  options: StoreDatabaseOptions = {},
): { readonly db: SqliteDatabase; readonly owned: boolean } {
  if (typeof database === 'string') return { db: openStoreDatabase(database, options), owned: true };
  // Checked here because JavaScript callers (and misspelt options, such as `path`) get no compiler.
  if (typeof (database as Partial<SqliteDatabase> | undefined)?.prepare !== 'function') {
    throw new InvalidOptionError(
      'A SQLite store needs `database`: a file path, or an open better-sqlite3 Database.',
    );
  }
  return { db: database, owned: false };
}
