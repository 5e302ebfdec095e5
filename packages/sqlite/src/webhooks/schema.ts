import type { Database } from 'better-sqlite3';
import { assertSqlIdentifier } from '../sql-identifier.js';

/** Default table prefix of the SQLite webhook stores: `eddy_webhook_endpoints`, `_deliveries`, `_attempts`. */
export const DEFAULT_WEBHOOK_TABLE_PREFIX = 'eddy_webhook';

/** Returns `prefix` if it is a plain SQL identifier, else throws (see `assertSqlIdentifier`). */
export function assertWebhookPrefix(prefix: string): string {
  return assertSqlIdentifier(prefix, 'Webhook table prefix');
}

/** Creates the endpoint table when missing: one JSON document per endpoint. */
export function ensureEndpointTable(db: Database, prefix: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${prefix}_endpoints (
    id TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL
  );`);
}

/** Creates the delivery and attempt tables and their indexes when missing. */
export function ensureDeliveryTables(db: Database, prefix: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${prefix}_deliveries (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    ordered INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    owner TEXT,
    lease_expires_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS ${prefix}_deliveries_due ON ${prefix}_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX IF NOT EXISTS ${prefix}_deliveries_endpoint ON ${prefix}_deliveries (endpoint_id, sequence);
  CREATE INDEX IF NOT EXISTS ${prefix}_deliveries_settled ON ${prefix}_deliveries (updated_at) WHERE status <> 'pending';
  CREATE TABLE IF NOT EXISTS ${prefix}_attempts (
    delivery_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    status_code INTEGER,
    succeeded INTEGER NOT NULL,
    error TEXT,
    response_body TEXT NOT NULL,
    PRIMARY KEY (delivery_id, number)
  );`);
}
