import { type CloudEvent, type Headers } from '@eddy/core';
import {
  assertAttempts,
  assertLaneCount,
  assertRowIds,
  ClosedError,
  InvalidOptionError,
  prepareOutboxRows,
  resolveFailedRowsQuery,
} from '@eddy/core/internal';
import {
  DEFAULT_OUTBOX_LANES,
  type FailedOutboxRecord,
  type LaneClaim,
  type OutboxEntry,
  type OutboxRecord,
  type OutboxStore,
} from '@eddy/core/outbox';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { NotifyListener } from '../notify-listener.js';
import { listenClient, openPool } from '../connection.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { addSql, leasedSql, NOW_MS, outboxNames, outboxSchemaSql, RECORD_COLUMNS } from './schema.js';

/** Options of `createPostgresOutbox`. Give either `pool` or `connectionString`. */
export interface PostgresOutboxOptions {
  /** A pool for the relay's queries (the application's is fine). Never ended by the outbox. */
  readonly pool?: pg.Pool;
  /** Where to connect when no pool is given; the outbox then owns its pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** Schema of the outbox tables (created when missing). Default `'eddy'`. */
  readonly schema?: string;
  /** Rows table; the lease tables add `_lanes` and `_relays`. Default `'outbox'`. */
  readonly table?: string;
  /** Lanes (fixed when the outbox is created). Default 16. */
  readonly lanes?: number;
  /**
   * LISTEN for commits (each `add` queues a NOTIFY that PostgreSQL delivers on COMMIT), so relays in
   * any process wake at once. Needs one dedicated connection. Default true.
   */
  readonly listen?: boolean;
  /**
   * Serialize transactions that add events with the same partition key (a transaction-scoped
   * advisory lock per key), so a key's events are published in commit order. Turn off only when
   * the application already serializes writers per key (e.g. `SELECT ... FOR UPDATE` on the
   * aggregate row). Default true.
   */
  readonly lockKeys?: boolean;
}

/**
 * What `add` runs its statement on: a `pg` client (`PoolClient`, `Client`) inside BEGIN, or an
 * adapter over an ORM's transaction, e.g. Kysely's
 * `{ query: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values)) }`.
 */
export interface OutboxSqlExecutor {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** The PostgreSQL transactional outbox: `add` for writers, the `OutboxStore` port for relays. */
export interface PostgresOutbox extends OutboxStore {
  readonly schema: string;
  readonly table: string;
  /**
   * Records events on `client` inside the caller's open transaction (after BEGIN): they commit or
   * roll back with it. Returns the events with their ids. Runs one statement.
   */
  add(client: OutboxSqlExecutor, entries: readonly OutboxEntry[]): Promise<CloudEvent[]>;
  /** Deletes failed rows for good; ids that are not failed rows are ignored. Returns how many. */
  discardFailed(ids: readonly number[]): Promise<number>;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,40}$/;

interface RowShape {
  id: string;
  lane: number;
  topic: string;
  key: string | null;
  headers: Headers;
  payload: Buffer;
  traceparent: string | null;
  tracestate: string | null;
  created_at: string;
}

function toRecord(row: RowShape): OutboxRecord {
  return {
    id: Number(row.id),
    lane: row.lane,
    topic: row.topic,
    key: row.key ?? undefined,
    headers: row.headers,
    payload: row.payload,
    traceparent: row.traceparent ?? undefined,
    tracestate: row.tracestate ?? undefined,
    createdAt: Number(row.created_at),
  };
}

/** Creates the outbox tables when missing (idempotent, safe from several processes at once). */
export async function createPostgresOutbox(options: PostgresOutboxOptions): Promise<PostgresOutbox> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const table = options.table ?? 'outbox';
  if (!TABLE_NAME.test(table)) {
    throw new InvalidOptionError(
      `table "${table}" must be a lower-case SQL identifier of at most 41 characters.`,
    );
  }
  const lanes = assertLaneCount(options.lanes ?? DEFAULT_OUTBOX_LANES);
  const connection = openPool(options, 'createPostgresOutbox', { applicationName: 'eddy-outbox' });
  const { pool, where } = connection;
  const names = outboxNames(schema, table);
  const fail = (doing: string) => (error: unknown) => Promise.reject(toEddyError(error, doing, where));

  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Serializes concurrent first runs: CREATE ... IF NOT EXISTS alone can race on the catalog.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`eddy-outbox:${schema}.${table}`]);
      await client.query(outboxSchemaSql(schema, names, table));
      const { rows } = await client.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM ${names.lanes}`,
      );
      const count = rows[0]?.count ?? 0;
      if (count === 0) {
        await client.query(`INSERT INTO ${names.lanes} (lane) SELECT generate_series(0, $1::int - 1)`, [
          lanes,
        ]);
      } else if (count !== lanes) {
        throw new InvalidOptionError(
          `Outbox ${schema}.${table} was created with ${count} lanes, not ${lanes}: pass lanes: ${count}.`,
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    await connection.close();
    throw toEddyError(error, 'creating the outbox tables', where);
  }

  const listeners = new Set<() => void>();
  const notifyAll = (): void => {
    for (const listener of listeners) listener();
  };
  let listener: NotifyListener | undefined;
  if (options.listen ?? true) {
    listener = new NotifyListener({
      createClient: () => listenClient(pool, { application_name: 'eddy-outbox-listen' }),
      channel: names.channel,
      onNotify: notifyAll,
      onReconnect: notifyAll,
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 5_000,
      report: () => undefined,
    });
    // Polling covers commits while the listener is down; a failed first LISTEN is not fatal.
    await listener.start().catch(() => undefined);
  }

  const insert = addSql(names, options.lockKeys ?? true);
  let closed = false;
  const open = (): void => {
    if (closed) throw new ClosedError('This PostgreSQL outbox');
  };

  const claim = async (owner: string, leaseMs: number, maxLanes: number | undefined): Promise<LaneClaim> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${names.relays} (owner, expires_at) VALUES ($1, ${NOW_MS} + $2)
         ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at`,
        [owner, leaseMs],
      );
      const { rows: counted } = await client.query<{ relays: number }>(
        `WITH dead AS (DELETE FROM ${names.relays} WHERE expires_at <= ${NOW_MS} RETURNING owner)
         SELECT count(*)::int - (SELECT count(*)::int FROM dead) AS relays FROM ${names.relays}`,
      );
      const relays = Math.max(1, counted[0]?.relays ?? 1);
      const target = Math.min(Math.ceil(lanes / relays), maxLanes ?? lanes);
      const renewed = await client.query<{ lane: number }>(
        `UPDATE ${names.lanes} SET expires_at = ${NOW_MS} + $2 WHERE owner = $1 AND expires_at > ${NOW_MS} RETURNING lane`,
        [owner, leaseMs],
      );
      const held = renewed.rows.map((row) => row.lane);
      if (held.length < target) {
        // SKIP LOCKED: relays claiming at the same moment split the free lanes instead of queueing.
        const taken = await client.query<{ lane: number }>(
          `WITH free AS (
             SELECT lane FROM ${names.lanes} WHERE owner IS NULL OR expires_at <= ${NOW_MS}
             ORDER BY lane LIMIT $3 FOR UPDATE SKIP LOCKED)
           UPDATE ${names.lanes} AS l SET owner = $1, expires_at = ${NOW_MS} + $2
           FROM free WHERE l.lane = free.lane RETURNING l.lane`,
          [owner, leaseMs, target - held.length],
        );
        held.push(...taken.rows.map((row) => row.lane));
      }
      await client.query('COMMIT');
      return { lanes: held.sort((a, b) => a - b), relays };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  return {
    schema,
    table,
    lanes,
    async add(client, entries) {
      open();
      const rows = prepareOutboxRows(entries, lanes);
      if (rows.length === 0) return [];
      try {
        await client.query(insert, [
          rows.map((row) => row.lane),
          rows.map((row) => row.topic),
          rows.map((row) => row.key ?? null),
          rows.map((row) => row.event.id),
          rows.map((row) => row.headersJson),
          rows.map((row) => Buffer.from(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength)),
          rows.map((row) => row.traceparent ?? null),
          rows.map((row) => row.tracestate ?? null),
          rows.map((row) => row.createdAt),
        ]);
      } catch (error) {
        throw toEddyError(error, 'adding events to the outbox', where);
      }
      return rows.map((row) => row.event);
    },
    async claimLanes({ owner, leaseMs, maxLanes }) {
      open();
      return claim(owner, Math.round(leaseMs), maxLanes).catch(fail('claiming outbox lanes'));
    },
    async releaseLanes(owner, released) {
      open();
      await pool
        .query(
          `UPDATE ${names.lanes} SET owner = NULL, expires_at = 0 WHERE owner = $1 AND lane = ANY($2::int[])`,
          [owner, [...released]],
        )
        .catch(fail('releasing outbox lanes'));
    },
    async fetchPending(lane, limit) {
      open();
      const { rows } = await pool
        .query<RowShape>(
          `SELECT ${RECORD_COLUMNS} FROM ${names.rows}
           WHERE lane = $1 AND published_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT $2`,
          [lane, limit],
        )
        .catch(fail('reading the outbox'));
      return rows.map(toRecord);
    },
    async markPublished({ owner, lane, ids, delete: del }) {
      open();
      if (ids.length === 0) return true;
      const leased = leasedSql(names);
      const result = await pool
        .query(
          del
            ? `DELETE FROM ${names.rows} WHERE id = ANY($3::bigint[]) AND ${leased}`
            : `UPDATE ${names.rows} SET published_at = ${NOW_MS} WHERE id = ANY($3::bigint[]) AND ${leased}`,
          [lane, owner, ids.map(String)],
        )
        .catch(fail('marking outbox rows published'));
      return (result.rowCount ?? 0) > 0;
    },
    async markFailed({ owner, lane, id, error, attempts }) {
      open();
      const count = assertAttempts(attempts);
      // The lease check and the update are one statement; a row already published stays so.
      const { rows } = await pool
        .query<{ leased: boolean }>(
          `WITH failed AS (
             UPDATE ${names.rows} SET failed_at = ${NOW_MS}, error = $4, attempts = $5
             WHERE id = $3 AND published_at IS NULL AND ${leasedSql(names)})
           SELECT ${leasedSql(names)} AS leased`,
          [lane, owner, String(id), error, count],
        )
        .catch(fail('setting an outbox row aside'));
      return rows[0]?.leased === true;
    },
    async failedRows(query) {
      open();
      const { limit, afterId } = resolveFailedRowsQuery(query);
      const { rows } = await pool
        .query<RowShape & { failed_at: string; error: string; attempts: number | null }>(
          `SELECT ${RECORD_COLUMNS}, failed_at, error, attempts FROM ${names.rows}
           WHERE failed_at IS NOT NULL AND id > $1 ORDER BY id LIMIT $2`,
          [String(afterId), limit],
        )
        .catch(fail('listing failed outbox rows'));
      return rows.map((row): FailedOutboxRecord => ({
        ...toRecord(row),
        failedAt: Number(row.failed_at),
        error: row.error,
        attempts: row.attempts ?? undefined,
      }));
    },
    async retryFailed(ids) {
      open();
      const given = assertRowIds(ids);
      if (given.length === 0) return 0;
      const result = await pool
        .query(
          `WITH wake AS (SELECT pg_notify('${names.channel}', '') AS sent)
           UPDATE ${names.rows} SET failed_at = NULL, error = NULL, attempts = NULL
           WHERE failed_at IS NOT NULL AND id = ANY($1::bigint[]) AND (SELECT count(*) FROM wake) > 0`,
          [given.map(String)],
        )
        .catch(fail('putting failed outbox rows back'));
      return result.rowCount ?? 0;
    },
    async discardFailed(ids) {
      open();
      const given = assertRowIds(ids);
      if (given.length === 0) return 0;
      const result = await pool
        .query(`DELETE FROM ${names.rows} WHERE failed_at IS NOT NULL AND id = ANY($1::bigint[])`, [
          given.map(String),
        ])
        .catch(fail('discarding failed outbox rows'));
      return result.rowCount ?? 0;
    },
    async stats() {
      open();
      const { rows } = await pool
        .query<{ pending: number; oldest: string | null; failed: number }>(
          `SELECT count(*)::int AS pending, min(created_at) AS oldest,
             (SELECT count(*)::int FROM ${names.rows} WHERE failed_at IS NOT NULL) AS failed
           FROM ${names.rows} WHERE published_at IS NULL AND failed_at IS NULL`,
        )
        .catch(fail('reading outbox stats'));
      const row = rows[0];
      return {
        pending: row?.pending ?? 0,
        oldestPendingAt: row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest),
        failed: row?.failed ?? 0,
      };
    },
    async purgePublished(before) {
      open();
      const result = await pool
        .query(`DELETE FROM ${names.rows} WHERE published_at IS NOT NULL AND published_at < $1`, [before])
        .catch(fail('purging published outbox rows'));
      return result.rowCount ?? 0;
    },
    onWake(wake) {
      listeners.add(wake);
      return () => listeners.delete(wake);
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await listener?.close();
      await connection.close();
    },
  };
}
