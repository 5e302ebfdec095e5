import type { Database } from 'better-sqlite3';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default prefix of the SQLite schema store's tables (`<prefix>_schemas`, `_versions`, `_config`). */
export const DEFAULT_SCHEMA_STORE_PREFIX = 'eddy_registry';

/** The three tables of the schema store under `prefix`. */
export interface SchemaStoreTables {
  readonly schemas: string;
  readonly versions: string;
  readonly config: string;
}

/** The table names under `prefix` if it is a plain SQL identifier (it is interpolated into SQL), else throws. */
export function schemaStoreTables(prefix: string): SchemaStoreTables {
  assertSqlIdentifier(prefix, 'Schema store table prefix');
  return { schemas: `${prefix}_schemas`, versions: `${prefix}_versions`, config: `${prefix}_config` };
}

/**
 * Creates the tables when missing. `AUTOINCREMENT` keeps ids above every id ever stored, imported
 * ones included, so an id is never handed out twice. The registry-wide settings use scope `''`
 * (the registry refuses an empty subject name).
 */
export function ensureSchemaStoreTables(db: Database, tables: SchemaStoreTables): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${tables.schemas} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schema_type TEXT NOT NULL,
    schema TEXT NOT NULL,
    refs TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS ${tables.versions} (
    subject TEXT NOT NULL,
    version INTEGER NOT NULL,
    schema_id INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subject, version)
  );
  CREATE INDEX IF NOT EXISTS ${tables.versions}_schema ON ${tables.versions} (schema_id);
  CREATE TABLE IF NOT EXISTS ${tables.config} (
    scope TEXT PRIMARY KEY,
    compatibility TEXT,
    mode TEXT
  );`);
}
