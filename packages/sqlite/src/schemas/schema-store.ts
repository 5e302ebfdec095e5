import type { Database } from 'better-sqlite3';
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
import { describeTarget, resolveStoreDatabase } from '../connection.js';
import { guardedCalls } from '../errors.js';
import { DEFAULT_SCHEMA_STORE_PREFIX, ensureSchemaStoreTables, schemaStoreTables } from './schema.js';

export interface SqliteSchemaStoreOptions {
  /** An open better-sqlite3 database, or a file path to open (WAL). */
  readonly database: Database | string;
  /** Prefix of the store's three tables. Default `eddy_registry`. */
  readonly tablePrefix?: string;
  /** How long a write waits for another process's lock, ms (path only). Default 5 000. */
  readonly busyTimeoutMs?: number;
}

/** A SQLite `SchemaStore` and the database it uses. */
export interface SqliteSchemaStore extends SchemaStore {
  readonly database: Database;
}

interface SchemaRow {
  id: number;
  schema_type: string;
  schema: string;
  refs: string;
  fingerprint: string;
}

interface VersionRow {
  subject: string;
  version: number;
  schema_id: number;
  deleted: number;
}

interface ConfigRow {
  compatibility: string | null;
  mode: string | null;
}

const toSchema = (row: SchemaRow): StoredSchema => ({
  id: row.id,
  schemaType: row.schema_type as SchemaType,
  schema: row.schema,
  references: JSON.parse(row.refs) as SchemaReference[],
  fingerprint: row.fingerprint,
});

const toVersion = (row: VersionRow): StoredVersion => ({
  subject: row.subject,
  version: row.version,
  schemaId: row.schema_id,
  deleted: row.deleted === 1,
});

const toConfig = (row: ConfigRow | undefined): ScopeConfig => ({
  ...(row?.compatibility == null ? {} : { compatibility: row.compatibility as CompatibilityLevel }),
  ...(row?.mode == null ? {} : { mode: row.mode as Mode }),
});

/** The registry-wide settings' scope key; the registry never accepts an empty subject. */
const GLOBAL_SCOPE = '';

/**
 * `SchemaStore` on SQLite: schemas by id with a unique fingerprint, versions keyed by (subject,
 * version), settings per scope. Writes that must be atomic run in `BEGIN IMMEDIATE` transactions
 * or single statements with a uniqueness constraint, so registries in several processes sharing
 * the file never share an id or a version.
 */
export function createSqliteSchemaStore(options: SqliteSchemaStoreOptions): SqliteSchemaStore {
  const tables = schemaStoreTables(options.tablePrefix ?? DEFAULT_SCHEMA_STORE_PREFIX);
  const { db, owned } = resolveStoreDatabase(options.database, {
    busyTimeoutMs: options.busyTimeoutMs,
    synchronous: 'normal',
  });
  ensureSchemaStoreTables(db, tables);
  const { schemas, versions, config } = tables;
  const schemaById = db.prepare<[number], SchemaRow>(`SELECT * FROM ${schemas} WHERE id = ?`);
  const schemaByFingerprint = db.prepare<[string], SchemaRow>(
    `SELECT * FROM ${schemas} WHERE fingerprint = ?`,
  );
  const insertSchema = db.prepare(
    `INSERT INTO ${schemas} (id, schema_type, schema, refs, fingerprint)
     VALUES (@id, @schemaType, @schema, @refs, @fingerprint)`,
  );
  const insertVersion = db.prepare(
    `INSERT INTO ${versions} (subject, version, schema_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const versionsOf = db.prepare<[string], VersionRow>(
    `SELECT * FROM ${versions} WHERE subject = ? ORDER BY version`,
  );
  const subjects = db.prepare<[number], { subject: string }>(
    `SELECT DISTINCT subject FROM ${versions} WHERE deleted = 0 OR ? = 1 ORDER BY subject`,
  );
  const versionsOfSchema = db.prepare<[number], VersionRow>(
    `SELECT * FROM ${versions} WHERE schema_id = ? ORDER BY subject, version`,
  );
  const referrers = db.prepare<[string, number], VersionRow>(
    `SELECT v.* FROM ${versions} v JOIN ${schemas} s ON s.id = v.schema_id
     WHERE EXISTS (SELECT 1 FROM json_each(s.refs) r
                   WHERE json_extract(r.value, '$.subject') = ? AND json_extract(r.value, '$.version') = ?)
     ORDER BY v.subject, v.version`,
  );
  const softDelete = db.prepare<[string, number]>(
    `UPDATE ${versions} SET deleted = 1 WHERE subject = ? AND version = ? AND deleted = 0`,
  );
  const hardDelete = db.prepare<[string, number]>(
    `DELETE FROM ${versions} WHERE subject = ? AND version = ?`,
  );
  const selectConfig = db.prepare<[string], ConfigRow>(
    `SELECT compatibility, mode FROM ${config} WHERE scope = ?`,
  );
  const upsertConfig = db.prepare<[string, string | null, string | null]>(
    `INSERT INTO ${config} (scope, compatibility, mode) VALUES (?, ?, ?)
     ON CONFLICT (scope) DO UPDATE SET compatibility = excluded.compatibility, mode = excluded.mode`,
  );

  const put = db.transaction((schema: NewSchema, id: number | undefined): PutSchemaResult => {
    const existing = schemaByFingerprint.get(schema.fingerprint);
    if (id !== undefined) {
      const taken = schemaById.get(id);
      if (taken !== undefined) {
        return taken.fingerprint === schema.fingerprint
          ? { outcome: 'existing', id }
          : { outcome: 'id-taken', id };
      }
      if (existing !== undefined) return { outcome: 'stored-under-other-id', id: existing.id };
    } else if (existing !== undefined) {
      return { outcome: 'existing', id: existing.id };
    }
    const result = insertSchema.run({
      id: id ?? null,
      schemaType: schema.schemaType,
      schema: schema.schema,
      refs: JSON.stringify(schema.references),
      fingerprint: schema.fingerprint,
    });
    return { outcome: 'created', id: Number(result.lastInsertRowid) };
  });
  const updateConfig = db.transaction((scope: string, update: Parameters<SchemaStore['updateConfig']>[1]) => {
    const current = toConfig(selectConfig.get(scope));
    const compatibility =
      update.compatibility === undefined ? (current.compatibility ?? null) : update.compatibility;
    const mode = update.mode === undefined ? (current.mode ?? null) : update.mode;
    upsertConfig.run(scope, compatibility, mode);
    return toConfig({ compatibility, mode });
  });

  let closed = false;
  const guarded = guardedCalls('schema store', describeTarget(db.name), () => closed);
  const scopeOf = (subject: string | null): string => subject ?? GLOBAL_SCOPE;

  return {
    database: db,
    putSchema: (schema, putOptions = {}) => guarded(() => put.immediate(schema, putOptions.id)),
    getSchema: (id) =>
      guarded(() => {
        const row = schemaById.get(id);
        return row === undefined ? undefined : toSchema(row);
      }),
    findSchema: (fingerprint) =>
      guarded(() => {
        const row = schemaByFingerprint.get(fingerprint);
        return row === undefined ? undefined : toSchema(row);
      }),
    addVersion: ({ subject, version, schemaId }) =>
      guarded(() => insertVersion.run(subject, version, schemaId).changes > 0),
    listVersions: (subject) => guarded(() => versionsOf.all(subject).map(toVersion)),
    listSubjects: ({ includeDeleted }) =>
      guarded(() => subjects.all(includeDeleted ? 1 : 0).map((row) => row.subject)),
    listVersionsOfSchema: (id) => guarded(() => versionsOfSchema.all(id).map(toVersion)),
    listReferrers: (subject, version) => guarded(() => referrers.all(subject, version).map(toVersion)),
    softDeleteVersion: (subject, version) => guarded(() => softDelete.run(subject, version).changes > 0),
    deleteVersion: (subject, version) => guarded(() => hardDelete.run(subject, version).changes > 0),
    getConfig: (subject) => guarded(() => toConfig(selectConfig.get(scopeOf(subject)))),
    updateConfig: (subject, update) => guarded(() => updateConfig.immediate(scopeOf(subject), update)),
    close() {
      if (!closed) {
        closed = true;
        if (owned && db.open) db.close();
      }
      return Promise.resolve();
    },
  };
}
