import { ClosedError } from '@eddy/core/internal';
import type {
  CompatibilityLevel,
  Mode,
  NewSchema,
  PutSchemaResult,
  SchemaReference,
  SchemaStore,
  SchemaType,
  ScopeConfig,
  StoredSchema,
  StoredVersion,
} from '@eddy/schemas';
import type pg from 'pg';
import { openPool, type PoolSource } from '../connection.js';
import { toEddyError } from '../errors.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { migrateSchemaStore, registryTables } from './schema.js';

export type PostgresSchemaStoreOptions = PoolSource;

/** A `SchemaStore` on PostgreSQL; `close()` ends the pool when the store opened it. */
export type PostgresSchemaStore = SchemaStore;

interface SchemaRow {
  id: string;
  schema_type: string;
  schema: string;
  refs: SchemaReference[];
  fingerprint: string;
}

interface VersionRow {
  subject: string;
  version: number;
  schema_id: string;
  deleted: boolean;
}

interface ConfigRow {
  compatibility: string | null;
  mode: string | null;
}

const toSchema = (row: SchemaRow): StoredSchema => ({
  id: Number(row.id),
  schemaType: row.schema_type as SchemaType,
  schema: row.schema,
  references: row.refs,
  fingerprint: row.fingerprint,
});

const toVersion = (row: VersionRow): StoredVersion => ({
  subject: row.subject,
  version: row.version,
  schemaId: Number(row.schema_id),
  deleted: row.deleted,
});

const toConfig = (row: ConfigRow | undefined): ScopeConfig => ({
  ...(row?.compatibility == null ? {} : { compatibility: row.compatibility as CompatibilityLevel }),
  ...(row?.mode == null ? {} : { mode: row.mode as Mode }),
});

/** The registry-wide settings' scope key; the registry never accepts an empty subject. */
const GLOBAL_SCOPE = '';
/** Byte order, so subjects sort as the other stores sort them whatever the database's collation. */
const BY_SUBJECT = 'subject COLLATE "C", version';

/**
 * `SchemaStore` on PostgreSQL: `<schema>.registry_schemas` (ids from an identity column, a unique
 * fingerprint), `registry_versions` keyed by (subject, version) and `registry_config`. Each atomic
 * operation is one statement resting on a uniqueness constraint (`ON CONFLICT DO NOTHING`), so
 * registries in any number of processes never share an id or a version; an import with a chosen
 * id runs in a transaction holding an advisory lock and moves the identity past it.
 */
export async function createPostgresSchemaStore(
  options: PostgresSchemaStoreOptions,
): Promise<PostgresSchemaStore> {
  const schemaName = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schemaName);
  const { schemas, versions, config } = registryTables(schemaName);
  const connection = openPool(options, 'createPostgresSchemaStore', {
    applicationName: 'eddy-schema-store',
  });
  const { pool, where } = connection;
  let closed = false;
  const run = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new ClosedError('This PostgreSQL schema store');
    try {
      return await work();
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };
  const query = <R extends pg.QueryResultRow>(
    queryable: pg.Pool | pg.PoolClient,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => queryable.query<R>(text, values);

  try {
    await migrateSchemaStore(pool, schemaName, where);
  } catch (error) {
    await connection.close();
    throw error;
  }

  const byFingerprint = async (
    queryable: pg.Pool | pg.PoolClient,
    fingerprint: string,
  ): Promise<SchemaRow | undefined> =>
    (await query<SchemaRow>(queryable, `SELECT * FROM ${schemas} WHERE fingerprint = $1`, [fingerprint]))
      .rows[0];

  const putNew = async (schema: NewSchema): Promise<PutSchemaResult> => {
    // A concurrent insert of the same fingerprint makes this one wait for it and then do nothing;
    // the row is then visible to the SELECT. An id clash with a concurrent import is tried again.
    for (let attempt = 0; ; attempt++) {
      const inserted = await query<{ id: string }>(
        pool,
        `INSERT INTO ${schemas} (schema_type, schema, refs, fingerprint) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING id`,
        [schema.schemaType, schema.schema, JSON.stringify(schema.references), schema.fingerprint],
      );
      if (inserted.rows[0] !== undefined) return { outcome: 'created', id: Number(inserted.rows[0].id) };
      const existing = await byFingerprint(pool, schema.fingerprint);
      if (existing !== undefined) return { outcome: 'existing', id: Number(existing.id) };
      if (attempt >= 100) throw new Error('no free schema id after 100 attempts');
    }
  };

  const putImported = async (schema: NewSchema, id: number): Promise<PutSchemaResult> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('eddy-registry-import:' || $1::text))`, [
        schemaName,
      ]);
      const taken = (await query<SchemaRow>(client, `SELECT * FROM ${schemas} WHERE id = $1`, [id])).rows[0];
      let result: PutSchemaResult;
      if (taken !== undefined) {
        result =
          taken.fingerprint === schema.fingerprint
            ? { outcome: 'existing', id }
            : { outcome: 'id-taken', id };
      } else {
        const existing = await byFingerprint(client, schema.fingerprint);
        if (existing !== undefined) {
          result = { outcome: 'stored-under-other-id', id: Number(existing.id) };
        } else {
          await query(
            client,
            `INSERT INTO ${schemas} (id, schema_type, schema, refs, fingerprint) VALUES ($1, $2, $3, $4, $5)`,
            [id, schema.schemaType, schema.schema, JSON.stringify(schema.references), schema.fingerprint],
          );
          // Later ids go above the imported one.
          await client.query(
            `SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST($2::bigint,
               (SELECT last_value FROM ${schemas}_id_seq)))`,
            [schemas, id],
          );
          result = { outcome: 'created', id };
        }
      }
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw error;
    }
  };

  const versionRows = async (text: string, values: unknown[]): Promise<StoredVersion[]> =>
    (await query<VersionRow>(pool, text, values)).rows.map(toVersion);

  return {
    putSchema: (schema, putOptions = {}) =>
      run('storing a schema', () =>
        putOptions.id === undefined ? putNew(schema) : putImported(schema, putOptions.id),
      ),
    getSchema: (id) =>
      run('reading a schema', async () => {
        const row = (await query<SchemaRow>(pool, `SELECT * FROM ${schemas} WHERE id = $1`, [id])).rows[0];
        return row === undefined ? undefined : toSchema(row);
      }),
    findSchema: (fingerprint) =>
      run('finding a schema', async () => {
        const row = await byFingerprint(pool, fingerprint);
        return row === undefined ? undefined : toSchema(row);
      }),
    addVersion: ({ subject, version, schemaId }) =>
      run('adding a schema version', async () => {
        const result = await query(
          pool,
          `INSERT INTO ${versions} (subject, version, schema_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [subject, version, schemaId],
        );
        return (result.rowCount ?? 0) > 0;
      }),
    listVersions: (subject) =>
      run('listing schema versions', () =>
        versionRows(`SELECT * FROM ${versions} WHERE subject = $1 ORDER BY version`, [subject]),
      ),
    listSubjects: ({ includeDeleted }) =>
      run('listing subjects', async () => {
        const { rows } = await query<{ subject: string }>(
          pool,
          `SELECT subject FROM ${versions} WHERE $1 OR NOT deleted GROUP BY subject ORDER BY subject COLLATE "C"`,
          [includeDeleted],
        );
        return rows.map((row) => row.subject);
      }),
    listVersionsOfSchema: (id) =>
      run('listing the versions of a schema', () =>
        versionRows(`SELECT * FROM ${versions} WHERE schema_id = $1 ORDER BY ${BY_SUBJECT}`, [id]),
      ),
    listReferrers: (subject, version) =>
      run('listing referrers', () =>
        versionRows(
          `SELECT v.* FROM ${versions} v JOIN ${schemas} s ON s.id = v.schema_id
           WHERE s.refs @> jsonb_build_array(jsonb_build_object('subject', $1::text, 'version', $2::int))
           ORDER BY v.${BY_SUBJECT.replace(', ', ', v.')}`,
          [subject, version],
        ),
      ),
    softDeleteVersion: (subject, version) =>
      run('soft-deleting a schema version', async () => {
        const result = await query(
          pool,
          `UPDATE ${versions} SET deleted = true WHERE subject = $1 AND version = $2 AND NOT deleted`,
          [subject, version],
        );
        return (result.rowCount ?? 0) > 0;
      }),
    deleteVersion: (subject, version) =>
      run('deleting a schema version', async () => {
        const result = await query(pool, `DELETE FROM ${versions} WHERE subject = $1 AND version = $2`, [
          subject,
          version,
        ]);
        return (result.rowCount ?? 0) > 0;
      }),
    getConfig: (subject) =>
      run('reading registry settings', async () => {
        const { rows } = await query<ConfigRow>(
          pool,
          `SELECT compatibility, mode FROM ${config} WHERE scope = $1`,
          [subject ?? GLOBAL_SCOPE],
        );
        return toConfig(rows[0]);
      }),
    updateConfig: (subject, update) =>
      run('changing registry settings', async () => {
        // One statement: a value sets, null clears, absent keeps (the $3/$5 flags).
        const { rows } = await query<ConfigRow>(
          pool,
          `INSERT INTO ${config} AS c (scope, compatibility, mode) VALUES ($1, $2, $4)
           ON CONFLICT (scope) DO UPDATE SET
             compatibility = CASE WHEN $3 THEN excluded.compatibility ELSE c.compatibility END,
             mode = CASE WHEN $5 THEN excluded.mode ELSE c.mode END
           RETURNING compatibility, mode`,
          [
            subject ?? GLOBAL_SCOPE,
            update.compatibility ?? null,
            update.compatibility !== undefined,
            update.mode ?? null,
            update.mode !== undefined,
          ],
        );
        return toConfig(rows[0]);
      }),
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
