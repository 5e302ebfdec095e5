import type pg from 'pg';
import { migrateStoreOnce } from '../store-migration.js';
import { quoteIdent } from '../migration.js';

/** The webhook tables' qualified names in `schema` (a name that passed `assertSchemaName`). */
export function webhookTables(schema: string): {
  endpoints: string;
  deliveries: string;
  attempts: string;
  requests: string;
} {
  const q = quoteIdent(schema);
  return {
    endpoints: `${q}.webhook_endpoints`,
    deliveries: `${q}.webhook_deliveries`,
    attempts: `${q}.webhook_attempts`,
    requests: `${q}.webhook_requests`,
  };
}

/**
 * Creates the webhook tables and indexes if missing. Idempotent and safe from several processes at
 * once (a transaction-scoped advisory lock serializes them); runs once per pool and schema in a process.
 */
export function migrateWebhookStores(pool: pg.Pool, schema: string, where: string): Promise<void> {
  const t = webhookTables(schema);
  return migrateStoreOnce({
    pool,
    schema,
    lock: 'eddy-webhooks-migrate',
    doing: 'creating the webhook tables',
    where,
    ddl: `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
        CREATE TABLE IF NOT EXISTS ${t.endpoints} (id text PRIMARY KEY, endpoint jsonb NOT NULL);
        CREATE TABLE IF NOT EXISTS ${t.deliveries} (
          sequence bigserial PRIMARY KEY,
          id text NOT NULL UNIQUE,
          endpoint_id text NOT NULL,
          event_id text NOT NULL,
          event_type text NOT NULL,
          payload text NOT NULL,
          ordered boolean NOT NULL,
          status text NOT NULL,
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at bigint NOT NULL,
          last_error text,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL,
          owner text,
          lease_expires_at bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS webhook_deliveries_pending ON ${t.deliveries} (sequence) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint ON ${t.deliveries} (endpoint_id, sequence);
        CREATE TABLE IF NOT EXISTS ${t.attempts} (
          delivery_id text NOT NULL,
          number integer NOT NULL,
          started_at bigint NOT NULL,
          latency_ms double precision NOT NULL,
          status_code integer,
          succeeded boolean NOT NULL,
          error text,
          response_body text NOT NULL,
          PRIMARY KEY (delivery_id, number)
        );
        CREATE TABLE IF NOT EXISTS ${t.requests} (
          id text PRIMARY KEY,
          type text NOT NULL,
          status text NOT NULL,
          result jsonb,
          error text,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL,
          expires_at bigint NOT NULL
        );
        CREATE INDEX IF NOT EXISTS webhook_requests_expiry ON ${t.requests} (expires_at);
        ALTER TABLE ${t.requests} ADD COLUMN IF NOT EXISTS callback_url text;`,
  });
}
