import type { DedupeKeyView, OutgoingMessage, Position, PublishDedupe } from '@eddy/core';
import {
  decideDedupe,
  DEDUPE_HEADER,
  dedupeKeysLimit,
  type DedupeCounters,
  type DedupeDecision,
  type DedupeRecord,
} from '@eddy/core/internal';
import type { Pool, PoolClient } from 'pg';
import { encodeMessages, SUPERSEDED_HEADER } from './codec.js';

interface DedupeRow {
  partition: number;
  log_offset: string;
  first_at: string;
  expires_at: string;
  deliver_at: string | null;
}

export interface DedupePublishContext {
  readonly pool: Pool;
  /** Quoted schema name. */
  readonly schema: string;
  /** The partition a message goes to (by key, else the caller's rotation). */
  readonly partitionOf: (message: OutgoingMessage) => number;
  /** Counts the decisions once their transaction commits. */
  readonly counters: DedupeCounters;
}

/**
 * Publishes messages of which some carry `dedupe`, in one transaction: each key's record is read
 * under a transaction-scoped advisory lock on (topic, key), so concurrent publishers of a key, in
 * any process, decide one after the other; the append, the record and the replaced message's mark
 * commit together.
 */
export async function publishDeduped(
  ctx: DedupePublishContext,
  topic: string,
  messages: readonly OutgoingMessage[],
): Promise<Position[]> {
  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    const positions: Position[] = [];
    const decided: [PublishDedupe, DedupeDecision][] = [];
    for (const message of messages) {
      positions.push(
        await publishOne(ctx, client, topic, message, (dedupe, decision) => decided.push([dedupe, decision])),
      );
    }
    await client.query('COMMIT');
    for (const [dedupe, decision] of decided) ctx.counters.count(topic, dedupe, decision);
    return positions;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function publishOne(
  ctx: DedupePublishContext,
  client: PoolClient,
  topic: string,
  message: OutgoingMessage,
  decided: (dedupe: PublishDedupe, decision: DedupeDecision) => void,
): Promise<Position> {
  const { schema } = ctx;
  const { dedupe } = message;
  if (dedupe === undefined) return append(ctx, client, topic, message);
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${topic}/${dedupe.key}`]);
  const found = await client.query<DedupeRow & { now: string }>(
    `SELECT ${schema}.now_ms() AS now, d.partition, d.log_offset, d.first_at, d.expires_at, d.deliver_at
     FROM (SELECT 1) one LEFT JOIN ${schema}.publish_dedupe d ON d.topic = $1 AND d.dedupe_key = $2`,
    [topic, dedupe.key],
  );
  const row = found.rows[0]!;
  const now = Number(row.now);
  const record: DedupeRecord | undefined =
    row.log_offset === null
      ? undefined
      : {
          position: { partition: row.partition, offset: row.log_offset },
          firstAt: Number(row.first_at),
          expiresAt: Number(row.expires_at),
          deliverAt: row.deliver_at === null ? undefined : Number(row.deliver_at),
        };
  const decision = decideDedupe(dedupe, record, message.deliverAt, now);
  decided(dedupe, decision);
  if (decision.kind === 'drop') return decision.position;
  const replaceable = dedupe.mode === 'replace' || dedupe.mode === 'extend';
  const position = await append(ctx, client, topic, {
    payload: message.payload,
    ...(message.key === undefined ? {} : { key: message.key }),
    headers: replaceable ? { ...message.headers, [DEDUPE_HEADER]: dedupe.key } : (message.headers ?? {}),
    ...(decision.deliverAt === undefined ? {} : { deliverAt: decision.deliverAt }),
  });
  if (decision.supersedes !== undefined) {
    await client.query(
      `UPDATE ${schema}.messages SET headers = headers || jsonb_build_object($4::text, '1')
       WHERE topic = $1 AND partition = $2 AND log_offset = $3`,
      [topic, decision.supersedes.partition, decision.supersedes.offset, SUPERSEDED_HEADER],
    );
  }
  await client.query(
    `INSERT INTO ${schema}.publish_dedupe (topic, dedupe_key, partition, log_offset, first_at, expires_at, deliver_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (topic, dedupe_key) DO UPDATE SET partition = excluded.partition, log_offset = excluded.log_offset,
       first_at = excluded.first_at, expires_at = excluded.expires_at, deliver_at = excluded.deliver_at`,
    [
      topic,
      dedupe.key,
      position.partition,
      position.offset,
      decision.firstAt,
      decision.expiresAt,
      decision.deliverAt ?? null,
    ],
  );
  return position;
}

async function append(
  ctx: DedupePublishContext,
  client: PoolClient,
  topic: string,
  message: OutgoingMessage,
): Promise<Position> {
  const partition = ctx.partitionOf(message);
  const result = await client.query<{ out_base: string }>(
    `SELECT out_base FROM ${ctx.schema}.publish($1, $2, $3, $4, $5, $6, $7)`,
    [topic, [partition], [0], ...encodeMessages([message])],
  );
  return { partition, offset: String(result.rows[0]!.out_base) };
}

/** The live dedupe keys of `topic`, soonest due first (by the database's clock). */
export async function listDedupeKeys(
  pool: Pool,
  schema: string,
  topic: string,
  limit: number | undefined,
): Promise<DedupeKeyView[]> {
  const result = await pool.query<DedupeRow & { dedupe_key: string }>(
    `SELECT dedupe_key, partition, log_offset, first_at, expires_at, deliver_at FROM ${schema}.publish_dedupe
     WHERE topic = $1 AND expires_at > ${schema}.now_ms()
     ORDER BY COALESCE(deliver_at, expires_at), dedupe_key LIMIT $2`,
    [topic, dedupeKeysLimit(limit)],
  );
  return result.rows.map((row) => ({
    key: row.dedupe_key,
    partition: row.partition,
    offset: String(row.log_offset),
    firstAt: Number(row.first_at),
    dueAt: row.deliver_at === null ? undefined : Number(row.deliver_at),
    expiresAt: Number(row.expires_at),
  }));
}
