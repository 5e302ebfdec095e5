import {
  DEFAULT_INPUT_TTL_MS,
  type ConsumedPosition,
  type PendingOutput,
  type StateCommit,
  type StateStore,
} from '@eddy/streams';
import { assertStateCommit, assertStateName as assertName, stateJson as json } from '@eddy/streams/internal';
import { ClosedError } from '@eddy/core/internal';
import type pg from 'pg';
import { openPool, type PoolSource } from '../connection.js';
import { toEddyError } from '../errors.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { migrateStateStore, stateTables } from './schema.js';

/** Options of `createPostgresStateStore`: a pool or URL and schema (default `eddy`), plus: */
export interface PostgresStateStoreOptions extends PoolSource {
  /** How long consumed inputs are remembered, ms. Default 86 400 000 (24 h). */
  readonly inputTtlMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** A PostgreSQL `StateStore`; `close()` ends the pool when the store opened it. */
export type PostgresStateStore = StateStore;

// Old consumed inputs are swept at most this often, inside a commit.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * `StateStore` on PostgreSQL: state, consumed input keys, partition positions and pending outputs in
 * four tables of one schema. A commit is one transaction, written with one statement per table
 * (arrays unnested server-side), so it applies completely or not at all and costs a few round trips
 * however many entries it carries.
 */
export async function createPostgresStateStore(
  options: PostgresStateStoreOptions,
): Promise<PostgresStateStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const ttlMs = options.inputTtlMs ?? DEFAULT_INPUT_TTL_MS;
  const now = options.now ?? Date.now;
  const t = stateTables(schema);
  const connection = openPool(options, 'createPostgresStateStore', { applicationName: 'eddy-state-store' });
  const { pool, where } = connection;
  const query = async <R extends pg.QueryResultRow>(
    doing: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  try {
    await migrateStateStore(pool, schema, where);
  } catch (error) {
    await connection.close();
    throw error;
  }

  let sweptAt = 0;
  let closed = false;

  const write = async (namespace: string, commit: StateCommit, at: number): Promise<void> => {
    const puts = commit.puts ?? [];
    const deletes = commit.deletes ?? [];
    const inputs = commit.inputs ?? [];
    const outputs = commit.outputs ?? [];
    const published = commit.published ?? [];
    // A later put of a key wins over an earlier one, as in the other stores (ON CONFLICT refuses
    // one statement touching a row twice).
    const latestPut = new Map<string, string>();
    for (const { key, value } of puts) latestPut.set(key, JSON.stringify(value));
    const latestPosition = new Map<string, { topic: string; partition: number; offset: string }>();
    for (const input of inputs) latestPosition.set(`${input.topic}\u0000${input.partition}`, input);
    const inputKeys = [...new Set(inputs.map((input) => input.key))];
    const sweep = at - sweptAt >= SWEEP_INTERVAL_MS;

    const client = await pool.connect().catch((error: unknown) => {
      throw toEddyError(error, 'committing stream state', where);
    });
    let broken = false;
    try {
      await client.query('BEGIN');
      if (deletes.length > 0)
        await client.query(`DELETE FROM ${t.state} WHERE namespace = $1 AND key = ANY($2::text[])`, [
          namespace,
          deletes,
        ]);
      if (latestPut.size > 0)
        await client.query(
          `INSERT INTO ${t.state} (namespace, key, value)
           SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v)
           ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
          [namespace, [...latestPut.keys()], [...latestPut.values()]],
        );
      if (inputKeys.length > 0)
        await client.query(
          `INSERT INTO ${t.inputs} (namespace, event_id, consumed_at)
           SELECT $1, e, $3 FROM unnest($2::text[]) AS u(e)
           ON CONFLICT (namespace, event_id) DO UPDATE SET consumed_at = excluded.consumed_at`,
          [namespace, inputKeys, at],
        );
      if (latestPosition.size > 0) {
        const positions = [...latestPosition.values()];
        await client.query(
          `INSERT INTO ${t.positions} (namespace, topic, partition, "offset", committed_at)
           SELECT $1, tp, pa, o, $5 FROM unnest($2::text[], $3::int[], $4::text[]) AS u(tp, pa, o)
           ON CONFLICT (namespace, topic, partition)
           DO UPDATE SET "offset" = excluded."offset", committed_at = excluded.committed_at`,
          [
            namespace,
            positions.map((p) => p.topic),
            positions.map((p) => p.partition),
            positions.map((p) => p.offset),
            at,
          ],
        );
      }
      if (outputs.length > 0)
        await client.query(
          `INSERT INTO ${t.outputs} (namespace, id, output)
           SELECT $1, i, o FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(i, o, n) ORDER BY n`,
          [namespace, outputs.map((o) => o.id), outputs.map((o) => JSON.stringify(o))],
        );
      if (published.length > 0)
        await client.query(`DELETE FROM ${t.outputs} WHERE namespace = $1 AND id = ANY($2::text[])`, [
          namespace,
          published,
        ]);
      if (sweep) await client.query(`DELETE FROM ${t.inputs} WHERE consumed_at < $1`, [at - ttlMs]);
      await client.query('COMMIT');
      if (sweep) sweptAt = at;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw toEddyError(error, 'committing stream state', where);
    } finally {
      client.release(broken);
    }
  };

  const open = (namespace: string): string => {
    if (closed) throw new ClosedError('This PostgreSQL state store');
    return assertName(namespace, 'namespace');
  };

  return {
    atomicCommit: true,
    async get(namespace, key) {
      const { rows } = await query<{ value: string }>(
        'reading stream state',
        `SELECT value FROM ${t.state} WHERE namespace = $1 AND key = $2`,
        [open(namespace), assertName(key, 'key')],
      );
      return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as unknown);
    },
    async put(namespace, key, value) {
      const text = json(value, key);
      await query(
        'writing stream state',
        `INSERT INTO ${t.state} (namespace, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        [open(namespace), assertName(key, 'key'), text],
      );
    },
    async delete(namespace, key) {
      await query('deleting stream state', `DELETE FROM ${t.state} WHERE namespace = $1 AND key = $2`, [
        open(namespace),
        assertName(key, 'key'),
      ]);
    },
    async entries(namespace) {
      const { rows } = await query<{ key: string; value: string }>(
        'listing stream state',
        `SELECT key, value FROM ${t.state} WHERE namespace = $1 ORDER BY key COLLATE "C"`,
        [open(namespace)],
      );
      return rows.map((row) => ({ key: row.key, value: JSON.parse(row.value) as unknown }));
    },
    async commit(namespace, commit) {
      assertStateCommit(namespace, commit);
      await write(open(namespace), commit, now());
    },
    async consumed(namespace, keys) {
      const { rows } = await query<{ event_id: string }>(
        'reading consumed inputs',
        `SELECT event_id FROM ${t.inputs} WHERE namespace = $1 AND event_id = ANY($2::text[])`,
        [open(namespace), [...keys]],
      );
      return new Set(rows.map((row) => row.event_id));
    },
    async pendingOutputs(namespace) {
      const { rows } = await query<{ output: string }>(
        'reading pending outputs',
        `SELECT output FROM ${t.outputs} WHERE namespace = $1 ORDER BY seq`,
        [open(namespace)],
      );
      return rows.map((row) => JSON.parse(row.output) as PendingOutput);
    },
    async positions(namespace) {
      const { rows } = await query<{
        topic: string;
        partition: number;
        offset: string;
        committed_at: string;
      }>(
        'reading consumed positions',
        `SELECT topic, partition, "offset", committed_at FROM ${t.positions}
         WHERE namespace = $1 ORDER BY topic COLLATE "C", partition`,
        [open(namespace)],
      );
      return rows.map((row): ConsumedPosition => ({
        topic: row.topic,
        partition: row.partition,
        offset: row.offset,
        committedAt: Number(row.committed_at),
      }));
    },
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
