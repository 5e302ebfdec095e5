import {
  type AdminTopicOptions,
  type EddyError,
  type GroupPartitionInfo,
  type GroupSummary,
  type ReadRangeOptions,
  type StartPosition,
  type StoredMessageView,
  type TopicSummary,
  type TransportAdmin,
} from '@eddy/core';
import { assertGroupName, assertTopicName, InvalidOptionError, NotSupportedError } from '@eddy/core/internal';
import type pg from 'pg';
import { decodeMessageRow, type MessageRow } from './codec.js';
import { codeOf } from './errors.js';
import type { PostgresRetention } from './options.js';

/** What the dashboard and the CLI read and do on PostgreSQL: topics, groups, message ranges, replay, retention. */
export interface PostgresAdmin extends TransportAdmin {
  listTopics(): Promise<TopicSummary[]>;
  listGroups(topic?: string): Promise<GroupSummary[]>;
  readMessages(topic: string, options: ReadRangeOptions): Promise<StoredMessageView[]>;
  /**
   * Creates a topic with `partitions` (default: the transport's), or checks an existing one's count.
   * Retention limits are rejected with `EDDY_NOT_SUPPORTED`: they come from the transport options.
   */
  createTopic(name: string, options?: AdminTopicOptions): Promise<void>;
  /**
   * Moves a group's cursor on every partition and drops its unsettled claims, in one transaction;
   * subscribed members read from the new position on their next fetch.
   */
  resetGroup(topic: string, group: string, to: StartPosition): Promise<void>;
  /** Forgets a group: its cursors and claims. False when there was no such group. */
  deleteGroup(topic: string, group: string): Promise<boolean>;
  /** Applies the retention limits now; resolves with the number of messages removed. */
  applyRetention(): Promise<number>;
}

/** What the admin needs from its transport. */
export interface AdminContext {
  readonly pool: pg.Pool;
  /** Quoted schema name. */
  readonly schema: string;
  /** NOTIFY channel that wakes the schema's subscribers. */
  readonly channel: string;
  readonly defaultPartitions: number;
  readonly retention: PostgresRetention;
  readonly topics: Readonly<Record<string, PostgresRetention>>;
  /** Runs a query, mapping failures to typed errors. */
  readonly query: <R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    doing: string,
  ) => Promise<pg.QueryResult<R>>;
  readonly toError: (error: unknown, doing: string) => EddyError;
  readonly assertOpen: () => void;
  /** Members of `group` subscribed through this transport instance. */
  readonly localMembers: (topic: string, group: string) => number;
  /** Validates `to` against the topic's partitions, as subscribe does. */
  readonly checkStart: (to: StartPosition, partitions: number) => void;
  /** Creates a group that does not exist yet at `to`. */
  readonly createGroup: (topic: string, group: string, to: StartPosition) => Promise<void>;
  readonly applyRetention: () => Promise<number>;
}

interface PartitionRow {
  topic: string;
  partitions: number;
  partition: number;
  next_offset: string;
  first_offset: string;
}

interface GroupRow {
  group_name: string;
  topic: string;
  partition: number;
  cursor: string;
  next_offset: string;
  first_offset: string;
  pending: string;
  lowest: string | null;
}

const OFFSET_PATTERN = /^\d{1,18}$/;
// A reset deleting claims can deadlock with a member's batched acks on the same rows; PostgreSQL
// aborts one side, and the reset is safe to run again.
const RESET_ATTEMPTS = 3;

const limitOf = (value: number | undefined): number | undefined =>
  value === undefined || value <= 0 ? undefined : value;

export function createAdmin(context: AdminContext): PostgresAdmin {
  const { schema, query } = context;
  // The oldest retained offset of partition `p` (its next offset when retention emptied it). The
  // primary key answers it with one index probe; the log is gap-free above it.
  const firstOffsetOf = (p: string): string =>
    `coalesce((SELECT m.log_offset FROM ${schema}.messages m WHERE m.topic = ${p}.topic
       AND m.partition = ${p}.partition ORDER BY m.log_offset LIMIT 1), ${p}.next_offset)`;

  const partitionsOf = async (topic: string, doing: string): Promise<number> => {
    assertTopicName(topic);
    context.assertOpen();
    const result = await query<{ partitions: number }>(
      `SELECT partitions FROM ${schema}.topics WHERE topic = $1`,
      [topic],
      doing,
    );
    const partitions = result.rows[0]?.partitions;
    if (partitions === undefined) {
      throw new InvalidOptionError(`Topic "${topic}" does not exist. Publish to it or create it first.`);
    }
    return partitions;
  };

  const retentionOf = (
    topic: string,
  ): { retentionMs: number | undefined; retentionMessages: number | undefined } => {
    const own = context.topics[topic] ?? {};
    return {
      retentionMs: limitOf(own.retentionMs ?? context.retention.retentionMs),
      retentionMessages: limitOf(own.retentionMessages ?? context.retention.retentionMessages),
    };
  };

  async function listTopics(): Promise<TopicSummary[]> {
    context.assertOpen();
    const result = await query<PartitionRow>(
      `SELECT t.topic, t.partitions, p.partition, p.next_offset, ${firstOffsetOf('p')} AS first_offset
       FROM ${schema}.topics t JOIN ${schema}.partitions p ON p.topic = t.topic
       ORDER BY t.topic, p.partition`,
      [],
      'listing topics',
    );
    const topics = new Map<string, { partitions: number; info: TopicSummary['partitionInfo'][number][] }>();
    for (const row of result.rows) {
      let entry = topics.get(row.topic);
      if (entry === undefined) {
        entry = { partitions: row.partitions, info: [] };
        topics.set(row.topic, entry);
      }
      const next = BigInt(row.next_offset);
      const first = BigInt(row.first_offset);
      entry.info.push({
        partition: row.partition,
        firstOffset: row.first_offset,
        lastOffset: next > first ? String(next - 1n) : undefined,
        messages: Number(next - first),
        // Summing payload sizes would read every row: the cheap answer is "unknown".
        bytes: 0,
      });
    }
    return [...topics].map(([name, { partitions, info }]) => ({
      name,
      partitions,
      messages: info.reduce((sum, p) => sum + p.messages, 0),
      bytes: 0,
      ...retentionOf(name),
      retentionBytes: undefined,
      partitionInfo: info,
    }));
  }

  async function listGroups(topic?: string): Promise<GroupSummary[]> {
    if (topic !== undefined) assertTopicName(topic);
    context.assertOpen();
    const doing = topic === undefined ? 'listing groups' : `listing groups of topic "${topic}"`;
    const [rows, owners] = await Promise.all([
      query<GroupRow>(
        `SELECT g.group_name, g.topic, g.partition, g.next_offset AS cursor, p.next_offset,
           ${firstOffsetOf('p')} AS first_offset, c.pending, c.lowest
         FROM ${schema}.group_partitions g
         JOIN ${schema}.partitions p ON p.topic = g.topic AND p.partition = g.partition
         CROSS JOIN LATERAL (SELECT count(*) AS pending, min(c.log_offset) AS lowest FROM ${schema}.claims c
           WHERE c.group_name = g.group_name AND c.topic = g.topic AND c.partition = g.partition) c
         WHERE $1::text IS NULL OR g.topic = $1
         ORDER BY g.topic, g.group_name, g.partition`,
        [topic ?? null],
        doing,
      ),
      // No table records members: a member is known by the claims it holds in flight.
      query<{ group_name: string; topic: string; members: number }>(
        `SELECT group_name, topic, count(DISTINCT owner)::integer AS members FROM ${schema}.claims
         WHERE owner IS NOT NULL AND visible_at > ${schema}.now_ms() AND ($1::text IS NULL OR topic = $1)
         GROUP BY group_name, topic`,
        [topic ?? null],
        doing,
      ),
    ]);
    const holding = new Map(owners.rows.map((row) => [`${row.topic}\u0000${row.group_name}`, row.members]));
    const groups = new Map<string, { topic: string; group: string; partitions: GroupPartitionInfo[] }>();
    for (const row of rows.rows) {
      const id = `${row.topic}\u0000${row.group_name}`;
      let entry = groups.get(id);
      if (entry === undefined) {
        entry = { topic: row.topic, group: row.group_name, partitions: [] };
        groups.set(id, entry);
      }
      const cursor = BigInt(row.cursor);
      const first = BigInt(row.first_offset);
      const next = BigInt(row.next_offset);
      // Messages retention removed can never be delivered, so they are not lag.
      const unread = next - (cursor > first ? cursor : first);
      const lowest = row.lowest === null ? cursor : BigInt(row.lowest);
      entry.partitions.push({
        partition: row.partition,
        position: String(lowest < cursor ? lowest : cursor),
        lag: Number(unread > 0n ? unread : 0n) + Number(row.pending),
        // Members claim messages, not partitions: any member may hold any partition's messages.
        owner: undefined,
        behindRetention: cursor < first,
      });
    }
    return [...groups.entries()].map(([id, entry]) => ({
      ...entry,
      lag: entry.partitions.reduce((sum, p) => sum + p.lag, 0),
      // Idle members elsewhere are invisible; those of this instance are counted even when idle.
      members: Math.max(holding.get(id) ?? 0, context.localMembers(entry.topic, entry.group)),
    }));
  }

  async function readMessages(topic: string, options: ReadRangeOptions): Promise<StoredMessageView[]> {
    const partitions = await partitionsOf(topic, `reading topic "${topic}"`);
    const { partition } = options;
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new InvalidOptionError(
        `Topic "${topic}" has partitions 0..${partitions - 1}, got ${String(partition)}.`,
      );
    }
    const from = options.fromOffset === undefined ? '0' : String(options.fromOffset);
    if (!OFFSET_PATTERN.test(from)) {
      throw new InvalidOptionError(
        `fromOffset "${from}" is not a PostgreSQL transport offset; use one the admin or publish() returned.`,
      );
    }
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new InvalidOptionError(`limit must be a positive integer, got ${limit}.`);
    }
    const result = await query<MessageRow>(
      `SELECT partition, log_offset, key, headers, payload, published_at, deliver_at FROM ${schema}.messages
       WHERE topic = $1 AND partition = $2 AND log_offset >= $3 ORDER BY log_offset LIMIT $4`,
      [topic, partition, from, limit],
      `reading topic "${topic}"`,
    );
    return result.rows.map((row) => decodeMessageRow(topic, row));
  }

  async function createTopic(name: string, options: AdminTopicOptions = {}): Promise<void> {
    assertTopicName(name);
    context.assertOpen();
    for (const limit of ['retentionMs', 'retentionMessages', 'retentionBytes'] as const) {
      if ((options[limit] ?? 0) !== 0) {
        throw new NotSupportedError(
          `The PostgreSQL transport takes ${limit === 'retentionBytes' ? 'no byte limit' : `${limit} from createPostgresTransport's retention or topics options`}, ` +
            'so that every process sharing the schema trims alike; set it there.',
        );
      }
    }
    const wanted = options.partitions ?? context.defaultPartitions;
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 1024) {
      throw new InvalidOptionError(`partitions must be an integer from 1 to 1024, got ${wanted}.`);
    }
    const result = await query<{ partitions: number }>(
      `SELECT ${schema}.ensure_topic($1, $2) AS partitions`,
      [name, wanted],
      `creating topic "${name}"`,
    );
    const partitions = result.rows[0]?.partitions ?? wanted;
    if (options.partitions !== undefined && partitions !== options.partitions) {
      throw new NotSupportedError(
        `Topic "${name}" already has ${partitions} partitions; the count cannot change because keys would move. Create a new topic instead.`,
      );
    }
  }

  /** The cursor `to` puts a group at, as an SQL expression over `group_partitions g`. */
  function startOf(to: StartPosition): { sql: string; values: unknown[] } {
    const latest = `(SELECT p.next_offset FROM ${schema}.partitions p WHERE p.topic = g.topic AND p.partition = g.partition)`;
    const earliest = `coalesce((SELECT min(m.log_offset) FROM ${schema}.messages m
      WHERE m.topic = g.topic AND m.partition = g.partition), ${latest})`;
    if (to === 'earliest') return { sql: earliest, values: [] };
    if (to === 'latest') return { sql: latest, values: [] };
    if ('time' in to) {
      return { sql: `${schema}.offset_at_time(g.topic, g.partition, $3)`, values: [Math.floor(to.time)] };
    }
    return {
      sql: `coalesce((SELECT max(x.off) FROM unnest($3::integer[], $4::bigint[]) AS x (part, off)
        WHERE x.part = g.partition), ${earliest})`,
      values: [to.positions.map((p) => p.partition), to.positions.map((p) => p.offset)],
    };
  }

  /** Moves an existing group; false when the group does not exist. */
  async function moveGroup(topic: string, group: string, to: StartPosition): Promise<boolean> {
    const start = startOf(to);
    const client = await context.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // Waits for a member's claim in progress on these partitions and keeps new ones off until
      // commit, so no claim can read from the old cursor after the move.
      const locked = await client.query(
        `SELECT 1 FROM ${schema}.group_partitions WHERE group_name = $1 AND topic = $2 ORDER BY partition FOR UPDATE`,
        [group, topic],
      );
      if (locked.rowCount === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        `UPDATE ${schema}.group_partitions g SET next_offset = ${start.sql} WHERE g.group_name = $1 AND g.topic = $2`,
        [group, topic, ...start.values],
      );
      // Claims are the group's unsettled messages below the old cursor: after a move they are
      // either behind it (skipped) or ahead of it (read again from the log).
      await client.query(`DELETE FROM ${schema}.claims WHERE group_name = $1 AND topic = $2`, [group, topic]);
      await client.query('SELECT pg_notify($1, $2)', [context.channel, topic]);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async function resetGroup(topic: string, group: string, to: StartPosition): Promise<void> {
    const partitions = await partitionsOf(topic, `resetting group "${group}"`);
    assertGroupName(group);
    if (typeof to === 'object' && 'time' in to && !Number.isFinite(to.time)) {
      throw new InvalidOptionError('to.time must be epoch milliseconds.');
    }
    context.checkStart(to, partitions);
    const doing = `resetting group "${group}" on topic "${topic}"`;
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await moveGroup(topic, group, to))) await context.createGroup(topic, group, to);
        return;
      } catch (error) {
        if (codeOf(error) !== '40P01' || attempt >= RESET_ATTEMPTS) throw context.toError(error, doing);
      }
    }
  }

  async function applyRetention(): Promise<number> {
    return context.applyRetention();
  }

  async function deleteGroup(topic: string, group: string): Promise<boolean> {
    await partitionsOf(topic, `deleting group "${group}"`);
    assertGroupName(group);
    const doing = `deleting group "${group}" of topic "${topic}"`;
    const client = await context.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query(`DELETE FROM ${schema}.claims WHERE group_name = $1 AND topic = $2`, [group, topic]);
      const deleted = await client.query(
        `DELETE FROM ${schema}.group_partitions WHERE group_name = $1 AND topic = $2`,
        [group, topic],
      );
      await client.query('COMMIT');
      return (deleted.rowCount ?? 0) > 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw context.toError(error, doing);
    } finally {
      client.release(broken);
    }
  }

  return { listTopics, listGroups, readMessages, createTopic, resetGroup, deleteGroup, applyRetention };
}
