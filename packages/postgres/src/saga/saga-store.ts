import { DEFAULT_SAGA_LIST_LIMIT } from '@eddy/core/internal';
import {
  SagaConflictError,
  SagaNotFoundError,
  type SagaInstance,
  type SagaStatus,
  type SagaStore,
} from '@eddy/core/saga';
import type pg from 'pg';
import { toEddyError } from '../errors.js';
import { resolvePool, type PoolSource } from '../event-store/event-store-schema.js';
import { quoteIdent } from '../migration.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';

export type PostgresSagaStoreOptions = PoolSource;

/** A `SagaStore` on PostgreSQL; `close()` ends the pool when the store opened it. */
export type PostgresSagaStore = SagaStore;

interface Row {
  body: SagaInstance;
  version: string;
}

const migrated = new WeakMap<pg.Pool, Map<string, Promise<void>>>();

/**
 * `SagaStore` on PostgreSQL: `<schema>.sagas` holds each instance as jsonb beside indexed status,
 * saga name, version and due time. `save` is `UPDATE ... WHERE version = $n`, so concurrent runners
 * never both move an instance from one version.
 */
export async function createPostgresSagaStore(options: PostgresSagaStoreOptions): Promise<PostgresSagaStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const table = `${quoteIdent(schema)}.sagas`;
  const { pool, owned } = resolvePool(options, 'createPostgresSagaStore');
  const url = options.connectionString;
  const query = async <R extends pg.QueryResultRow>(
    doing: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw toEddyError(error, url, doing);
    }
  };

  let perPool = migrated.get(pool);
  if (perPool === undefined) migrated.set(pool, (perPool = new Map<string, Promise<void>>()));
  let migration = perPool.get(schema);
  if (migration === undefined) {
    const ddl = `SELECT pg_advisory_xact_lock(hashtext('eddy-saga-migrate:' || $1::text))`;
    migration = (async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(ddl, [schema]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
          CREATE TABLE IF NOT EXISTS ${table} (
            id text PRIMARY KEY,
            saga_name text NOT NULL,
            status text NOT NULL,
            version bigint NOT NULL,
            due_at bigint,
            updated_at bigint NOT NULL,
            body jsonb NOT NULL
          );
          CREATE INDEX IF NOT EXISTS sagas_status ON ${table} (status, updated_at);
          CREATE INDEX IF NOT EXISTS sagas_due ON ${table} (due_at) WHERE status IN ('running', 'compensating');`);
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(true);
        throw toEddyError(error, url, 'creating the saga table');
      }
    })();
    perPool.set(schema, migration);
    migration.catch(() => perPool.delete(schema));
  }
  await migration;

  const decode = (row: Row): SagaInstance => ({ ...row.body, version: Number(row.version) });
  const statusesOf = (
    status: SagaStatus | readonly SagaStatus[] | undefined,
  ): readonly SagaStatus[] | null =>
    status === undefined ? null : typeof status === 'string' ? [status] : status;

  return {
    async create(instance) {
      const stored = { ...instance, version: 1 };
      const result = await query(
        'creating a saga instance',
        `INSERT INTO ${table} (id, saga_name, status, version, due_at, updated_at, body)
         VALUES ($1, $2, $3, 1, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
        [stored.id, stored.sagaName, stored.status, stored.dueAt, stored.updatedAt, JSON.stringify(stored)],
      );
      if (result.rowCount === 0) throw new SagaConflictError(instance.id, 'already exists');
      return JSON.parse(JSON.stringify(stored)) as SagaInstance;
    },
    async load(id) {
      const { rows } = await query<Row>(
        'loading a saga instance',
        `SELECT body, version FROM ${table} WHERE id = $1`,
        [id],
      );
      return rows[0] === undefined ? undefined : decode(rows[0]);
    },
    async save(instance) {
      const stored = { ...instance, version: instance.version + 1 };
      const result = await query(
        'saving a saga instance',
        `UPDATE ${table} SET status = $2, version = $3, due_at = $4, updated_at = $5, body = $6
         WHERE id = $1 AND version = $7`,
        [
          stored.id,
          stored.status,
          stored.version,
          stored.dueAt,
          stored.updatedAt,
          JSON.stringify(stored),
          instance.version,
        ],
      );
      if (result.rowCount === 0) {
        const { rows } = await query<{ version: string }>(
          'saving a saga instance',
          `SELECT version FROM ${table} WHERE id = $1`,
          [instance.id],
        );
        if (rows[0] === undefined) throw new SagaNotFoundError(instance.id);
        throw new SagaConflictError(instance.id, `is at version ${rows[0].version}, not ${instance.version}`);
      }
      return JSON.parse(JSON.stringify(stored)) as SagaInstance;
    },
    async list(listOptions = {}) {
      const { rows } = await query<Row>(
        'listing saga instances',
        `SELECT body, version FROM ${table}
         WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::text IS NULL OR saga_name = $2)
         ORDER BY updated_at DESC, id LIMIT $3`,
        [
          statusesOf(listOptions.status),
          listOptions.sagaName ?? null,
          listOptions.limit ?? DEFAULT_SAGA_LIST_LIMIT,
        ],
      );
      return rows.map(decode);
    },
    async due(now, dueOptions = {}) {
      const { rows } = await query<Row>(
        'reading due saga instances',
        `SELECT body, version FROM ${table}
         WHERE status IN ('running', 'compensating') AND due_at IS NOT NULL AND due_at <= $1
           AND ($2::text IS NULL OR saga_name = $2)
         ORDER BY due_at, id LIMIT $3`,
        [now, dueOptions.sagaName ?? null, dueOptions.limit ?? DEFAULT_SAGA_LIST_LIMIT],
      );
      return rows.map(decode);
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
