import type { Transport } from '@eddy/core';
import { createMemorySchemaStore, type SchemaStore } from '@eddy/schemas';
import { createSqliteSchemaStore } from '@eddy/sqlite';
import { loadOptionalPackage, sqlitePathOf } from '../transport-from-url.js';

/** Where the gateway's backend lives, as far as the registry needs to know. */
export interface RegistryBackend {
  /** The transport the caller passed, if any. */
  readonly transport: Transport | undefined;
  readonly transportUrl: string | undefined;
  /** The embedded log's file, used when there is neither a transport nor a URL. */
  readonly defaultSqlitePath: string;
}

interface PostgresSchemaStoreFactory {
  createPostgresSchemaStore: (
    options: { connectionString: string } | { pool: unknown; schema: string },
  ) => Promise<SchemaStore>;
}

/** A PostgreSQL transport passed in: its pool and schema hold the registry too. */
function postgresOf(transport: Transport): { pool: unknown; schema: string } | undefined {
  const candidate = transport as Partial<{ pool: unknown; schema: unknown }>;
  return transport.name === 'postgres' && candidate.pool !== undefined && typeof candidate.schema === 'string'
    ? { pool: candidate.pool, schema: candidate.schema }
    : undefined;
}

/**
 * The schema store that follows the gateway's backend: the SQLite log's file for the embedded log
 * and `sqlite:` URLs, the same PostgreSQL database (and schema) for `postgres://` URLs and a
 * PostgreSQL transport passed in, memory otherwise (another transport passed in, or a broker
 * without a database such as Redis, RabbitMQ or NATS).
 */
export async function openSchemaStoreFor(backend: RegistryBackend): Promise<SchemaStore> {
  if (backend.transport !== undefined) {
    const postgres = postgresOf(backend.transport);
    if (postgres === undefined) return createMemorySchemaStore();
    const { createPostgresSchemaStore } =
      await loadOptionalPackage<PostgresSchemaStoreFactory>('@eddy/postgres');
    return createPostgresSchemaStore(postgres);
  }
  const url = backend.transportUrl;
  if (url === undefined) return createSqliteSchemaStore({ database: backend.defaultSqlitePath });
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  if (scheme === 'sqlite:') return createSqliteSchemaStore({ database: sqlitePathOf(url) });
  if (scheme === 'postgres:' || scheme === 'postgresql:') {
    const { createPostgresSchemaStore } =
      await loadOptionalPackage<PostgresSchemaStoreFactory>('@eddy/postgres');
    return createPostgresSchemaStore({ connectionString: url });
  }
  return createMemorySchemaStore();
}
