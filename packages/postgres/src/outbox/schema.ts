import { quoteIdent } from '../migration.js';

/** Epoch ms on the database clock, so leases mean the same thing to relays on different hosts. */
export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Qualified names of the outbox tables and its NOTIFY channel. */
export interface OutboxNames {
  readonly rows: string;
  readonly lanes: string;
  readonly relays: string;
  readonly channel: string;
}

export function outboxNames(schema: string, table: string): OutboxNames {
  const s = quoteIdent(schema);
  return {
    rows: `${s}.${quoteIdent(table)}`,
    lanes: `${s}.${quoteIdent(`${table}_lanes`)}`,
    relays: `${s}.${quoteIdent(`${table}_relays`)}`,
    channel: `${schema}_${table}_wake`,
  };
}

export function outboxSchemaSql(schema: string, names: OutboxNames, table: string): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};
    CREATE TABLE IF NOT EXISTS ${names.rows} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      lane int NOT NULL,
      topic text NOT NULL,
      key text,
      event_id text NOT NULL,
      headers jsonb NOT NULL,
      payload bytea NOT NULL,
      traceparent text,
      tracestate text,
      created_at bigint NOT NULL,
      published_at bigint,
      failed_at bigint,
      error text,
      attempts int
    );
    -- Outboxes created before rows could be set aside, or before their attempts were kept.
    ALTER TABLE ${names.rows} ADD COLUMN IF NOT EXISTS failed_at bigint, ADD COLUMN IF NOT EXISTS error text,
      ADD COLUMN IF NOT EXISTS attempts int;
    -- Pending reads skip failed rows in the index; it replaces the older _pending index.
    CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_ready`)} ON ${names.rows} (lane, id)
      WHERE published_at IS NULL AND failed_at IS NULL;
    DROP INDEX IF EXISTS ${quoteIdent(schema)}.${quoteIdent(`${table}_pending`)};
    CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_failed`)} ON ${names.rows} (id) WHERE failed_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_published`)} ON ${names.rows} (published_at) WHERE published_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS ${names.lanes} (
      lane int PRIMARY KEY,
      owner text,
      expires_at bigint NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS ${names.relays} (
      owner text PRIMARY KEY,
      expires_at bigint NOT NULL
    );`;
}

/**
 * One statement for `add`: takes a transaction-scoped advisory lock per partition key (sorted, so
 * two adds never wait on each other in opposite orders), queues a NOTIFY (sent on COMMIT, dropped on
 * ROLLBACK), and inserts the rows. The lock makes id order match commit order for a key: without
 * it, a later transaction could take a higher id and commit first, and the relay would publish its
 * event before the earlier one's.
 */
export function addSql(names: OutboxNames, lockKeys: boolean): string {
  const locks = lockKeys
    ? `locks AS (
         SELECT pg_advisory_xact_lock(hashtext(${`'${names.rows.replaceAll("'", "''")}'`}), hashtext(k))
         FROM (SELECT DISTINCT k FROM unnest($3::text[]) AS k WHERE k IS NOT NULL ORDER BY k) AS keys
       ),`
    : '';
  return `
    WITH ${locks}
    wake AS (SELECT pg_notify('${names.channel}', '') AS sent)
    INSERT INTO ${names.rows} (lane, topic, key, event_id, headers, payload, traceparent, tracestate, created_at)
    SELECT lane, topic, key, event_id, headers, payload, traceparent, tracestate, created_at
    FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bytea[], $7::text[], $8::text[], $9::bigint[])
      AS r(lane, topic, key, event_id, headers, payload, traceparent, tracestate, created_at)
    WHERE (SELECT count(*) FROM wake) > 0 ${lockKeys ? 'AND (SELECT count(*) FROM locks) >= 0' : ''}`;
}

/** Columns of an `OutboxRecord`, in the order the row mappers read them. */
export const RECORD_COLUMNS = 'id, lane, topic, key, headers, payload, traceparent, tracestate, created_at';

/** A condition true while `owner` holds the lease on lane `$1` (owner is `$2`). */
export function leasedSql(names: OutboxNames): string {
  return `EXISTS (SELECT 1 FROM ${names.lanes} WHERE lane = $1 AND owner = $2 AND expires_at > ${NOW_MS})`;
}
