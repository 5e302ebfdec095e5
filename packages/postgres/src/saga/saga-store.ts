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
import { openPool, type PoolSource } from '../connection.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { migrateSagaStore, sagaTable } from './schema.js';

export type PostgresSagaStoreOptions = PoolSource;

/** A `SagaStore` on PostgreSQL; `close()` ends the pool when the store opened it. */
export type PostgresSagaStore = SagaStore;

interface Row {
  body: SagaInstance;
  version: string;
}

/**
 * `SagaStore` on PostgreSQL: `<schema>.sagas` holds each instance as jsonb beside indexed status,
 * saga name, version and due time. `save` is `UPDATE ... WHERE version = $n`, so concurrent runners
 * never both move an instance from one version.
 */
export async function createPostgresSagaStore(options: PostgresSagaStoreOptions): Promise<PostgresSagaStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const table = sagaTable(schema);
  const connection = openPool(options, 'createPostgresSagaStore', { applicationName: 'eddy-saga-store' });
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
    await migrateSagaStore(pool, schema, where);
  } catch (error) {
    await connection.close();
    throw error;
  }

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
    close: () => connection.close(),
  };
}
