import { type Headers, type OutgoingMessage, type Position, type PublishDedupe } from '@eddy/core';
import {
  decideDedupe,
  DEDUPE_HEADER,
  InvalidOptionError,
  partitionForKey,
  type DedupeDecision,
  type DedupeRecord,
} from '@eddy/core/internal';
import { decodeBatch, encodeBatch } from './codec.js';
import { noteLastOffset, type AppendedPartitions } from './notifier.js';
import { formatOffset } from './offsets.js';
import type { RetentionOptions, TopicOptions } from './options.js';
import type { SqliteDatabase } from './connection.js';

export interface TopicInfo {
  readonly id: number;
  readonly name: string;
  readonly partitions: number;
}

/** One row of the log as stored. */
export interface StoredMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly payload: Uint8Array;
  readonly publishedAt: number;
  readonly deliverAt: number | undefined;
}

interface BatchRow {
  first_offset: number;
  base_offset: number | null;
  published_at: number | null;
  body: Buffer | null;
}

/** What one read of a partition found. */
export interface PartitionRead {
  readonly messages: StoredMessage[];
  /** The partition's oldest retained offset when it was read. */
  readonly firstOffset: number;
}

interface DedupeRow {
  partition: number;
  log_offset: number;
  first_at: number;
  expires_at: number;
  deliver_at: number | null;
}

interface TopicRow {
  topic_id: number;
  name: string;
  partitions: number;
}

interface Slot {
  readonly topicId: number;
  readonly partition: number;
  readonly messages: OutgoingMessage[];
  bytes: number;
  base: number;
}

export interface AppendRequest {
  readonly topic: TopicInfo;
  readonly messages: readonly OutgoingMessage[];
  readonly sizes: readonly number[];
}

/** The bytes of messages in `requests`, as their sizes count them. */
export function bytesOf(requests: readonly AppendRequest[]): number {
  let bytes = 0;
  for (const { sizes } of requests) for (let i = 0; i < sizes.length; i++) bytes += sizes[i]!;
  return bytes;
}

/** Topics and messages: the statements the writer and the readers share, prepared once. */
export class LogStore {
  readonly #db: SqliteDatabase;
  readonly #topics = new Map<string, TopicInfo>();
  #roundRobin = 0;
  readonly #stmt;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#stmt = {
      topicByName: db.prepare<[string], TopicRow>(
        'SELECT topic_id, name, partitions FROM eddy_topics WHERE name = ?',
      ),
      insertTopic: db.prepare(
        `INSERT INTO eddy_topics (name, partitions, retention_ms, retention_messages, retention_bytes, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      ),
      insertPartition: db.prepare(
        'INSERT INTO eddy_partitions (topic_id, partition) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      nextOffset: db
        .prepare<[number, number], number>(
          'SELECT next_offset FROM eddy_partitions WHERE topic_id = ? AND partition = ?',
        )
        .pluck(),
      advance: db.prepare(
        'UPDATE eddy_partitions SET next_offset = ?, bytes = bytes + ? WHERE topic_id = ? AND partition = ?',
      ),
      insertBatch: db.prepare(
        `INSERT INTO eddy_batches (topic_id, partition, base_offset, last_offset, published_at, bytes, body)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // The partition's row comes along, so the oldest retained offset costs no query of its own: a
      // partition with nothing to read still gives one row, its batch columns NULL.
      read: db.prepare<[number, number, number], BatchRow>(
        `SELECT p.first_offset, b.base_offset, b.published_at, b.body
         FROM eddy_partitions p LEFT JOIN eddy_batches b ON b.topic_id = p.topic_id
           AND b.partition = p.partition AND b.last_offset >= max(?, p.first_offset)
         WHERE p.topic_id = ? AND p.partition = ? ORDER BY b.last_offset`,
      ),
      dedupeByKey: db.prepare<[number, string], DedupeRow>(
        `SELECT partition, log_offset, first_at, expires_at, deliver_at FROM eddy_publish_dedupe
         WHERE topic_id = ? AND dedupe_key = ?`,
      ),
      putDedupe: db.prepare(
        `INSERT INTO eddy_publish_dedupe (topic_id, dedupe_key, partition, log_offset, first_at, expires_at, deliver_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (topic_id, dedupe_key) DO UPDATE SET partition = excluded.partition,
           log_offset = excluded.log_offset, first_at = excluded.first_at,
           expires_at = excluded.expires_at, deliver_at = excluded.deliver_at`,
      ),
      supersede: db.prepare(
        'INSERT INTO eddy_superseded (topic_id, partition, log_offset) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      isSuperseded: db
        .prepare<[number, number, number], number>(
          'SELECT 1 FROM eddy_superseded WHERE topic_id = ? AND partition = ? AND log_offset = ?',
        )
        .pluck(),
      firstOffset: db
        .prepare<[number, number], number>(
          'SELECT first_offset FROM eddy_partitions WHERE topic_id = ? AND partition = ?',
        )
        .pluck(),
      lastSeq: db.prepare<[], number | null>('SELECT max(seq) FROM eddy_batches').pluck(),
      partitionsAfter: db.prepare<[number], { topic_id: number; partition: number; last_offset: number }>(
        `SELECT topic_id, partition, max(last_offset) AS last_offset FROM eddy_batches WHERE seq > ?
         GROUP BY topic_id, partition`,
      ),
    };
  }

  /** The topic if it exists (cached: topics are never deleted). */
  find(name: string): TopicInfo | undefined {
    const cached = this.#topics.get(name);
    if (cached !== undefined) return cached;
    const row = this.#stmt.topicByName.get(name);
    if (row === undefined) return undefined;
    const info = { id: row.topic_id, name: row.name, partitions: row.partitions };
    this.#topics.set(name, info);
    return info;
  }

  /** Creates the topic with `settings` unless it exists; either way returns it. */
  ensure(
    name: string,
    settings: TopicOptions,
    defaultPartitions: number,
    retention: RetentionOptions,
  ): TopicInfo {
    const found = this.find(name);
    if (found !== undefined) return found;
    const partitions = settings.partitions ?? defaultPartitions;
    this.#db
      .transaction(() => {
        this.#stmt.insertTopic.run(
          name,
          partitions,
          settings.retentionMs ?? retention.retentionMs ?? null,
          settings.retentionMessages ?? retention.retentionMessages ?? null,
          settings.retentionBytes ?? retention.retentionBytes ?? null,
          Date.now(),
        );
        const row = this.#stmt.topicByName.get(name)!;
        for (let p = 0; p < row.partitions; p++) this.#stmt.insertPartition.run(row.topic_id, p);
      })
      .immediate();
    return this.find(name)!;
  }

  /** Picks each message's partition: by key hash, else round-robin. */
  partitionOf(topic: TopicInfo, message: OutgoingMessage): number {
    if (message.key !== undefined) return partitionForKey(message.key, topic.partitions);
    this.#roundRobin = (this.#roundRobin + 1) % 1_000_000_007;
    return this.#roundRobin % topic.partitions;
  }

  /**
   * Writes several publish requests; must run inside a write transaction. Messages are grouped per
   * partition into one batch row each. Offsets come from the partition row read inside that
   * transaction, so concurrent writers (other processes) never collide.
   */
  appendAll(requests: readonly AppendRequest[], now: number): Position[][] {
    // Per topic, one slot per partition; each message remembers its slot and index in it, so that
    // positions are known once the slots' base offsets are.
    const byTopic = new Map<number, (Slot | undefined)[]>();
    const placements: { slots: Slot[]; indexes: number[] }[] = [];
    for (const request of requests) {
      const { topic } = request;
      let topicSlots = byTopic.get(topic.id);
      if (topicSlots === undefined) {
        topicSlots = new Array<Slot | undefined>(topic.partitions);
        byTopic.set(topic.id, topicSlots);
      }
      const slots: Slot[] = [];
      const indexes: number[] = [];
      const { messages, sizes } = request;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        const partition = this.partitionOf(topic, message);
        let slot = topicSlots[partition];
        if (slot === undefined) {
          slot = { topicId: topic.id, partition, messages: [], bytes: 0, base: 0 };
          topicSlots[partition] = slot;
        }
        slots.push(slot);
        indexes.push(slot.messages.length);
        slot.messages.push(message);
        slot.bytes += sizes[i]!;
      }
      placements.push({ slots, indexes });
    }
    for (const topicSlots of byTopic.values()) {
      for (const slot of topicSlots) {
        if (slot === undefined) continue;
        const base = this.#stmt.nextOffset.get(slot.topicId, slot.partition);
        if (base === undefined) {
          throw new InvalidOptionError(`Topic ${slot.topicId} has no partition ${slot.partition}.`);
        }
        const last = base + slot.messages.length - 1;
        this.#stmt.insertBatch.run(
          slot.topicId,
          slot.partition,
          base,
          last,
          now,
          slot.bytes,
          encodeBatch(slot.messages),
        );
        this.#stmt.advance.run(last + 1, slot.bytes, slot.topicId, slot.partition);
        slot.base = base;
      }
    }
    return placements.map(({ slots, indexes }) =>
      slots.map((slot, i) => ({ partition: slot.partition, offset: formatOffset(slot.base + indexes[i]!) })),
    );
  }

  /**
   * Retained messages of one partition from `fromOffset` (inclusive), in offset order: whole batches
   * until at least `limit` messages (so possibly a few more), or fewer at the end of the partition.
   */
  read(topic: TopicInfo, partition: number, fromOffset: number, limit: number): PartitionRead {
    const messages: StoredMessage[] = [];
    let firstOffset = 0;
    for (const row of this.#stmt.read.iterate(fromOffset, topic.id, partition)) {
      firstOffset = row.first_offset;
      if (row.body === null) break;
      const publishedAt = row.published_at!;
      // Retention may leave the older part of a batch in place; first_offset is the truth.
      const from = Math.max(fromOffset, firstOffset);
      decodeBatch(row.body, row.base_offset!, from, (offset, key, headers, payload, deliverAt) => {
        messages.push({ partition, offset, key, headers, payload, publishedAt, deliverAt });
      });
      if (messages.length >= limit) break;
    }
    return { messages, firstOffset };
  }

  /**
   * Appends messages that carry `dedupe`, one at a time, deciding each against its key's record;
   * must run inside a write transaction, so the decision and the append are one step for every
   * process sharing the file. `decided` hears each decision, to be counted once the transaction commits.
   */
  appendDeduped(
    request: AppendRequest,
    now: number,
    decided: (dedupe: PublishDedupe, decision: DedupeDecision) => void,
  ): Position[] {
    const { topic } = request;
    return request.messages.map((message, i) => {
      const { dedupe } = message;
      const single = (outgoing: OutgoingMessage): Position =>
        this.appendAll([{ topic, messages: [outgoing], sizes: [request.sizes[i]!] }], now)[0]![0]!;
      if (dedupe === undefined) return single(message);
      const row = this.#stmt.dedupeByKey.get(topic.id, dedupe.key);
      const record: DedupeRecord | undefined =
        row === undefined
          ? undefined
          : {
              position: { partition: row.partition, offset: formatOffset(row.log_offset) },
              firstAt: row.first_at,
              expiresAt: row.expires_at,
              deliverAt: row.deliver_at ?? undefined,
            };
      const decision = decideDedupe(dedupe, record, message.deliverAt, now);
      decided(dedupe, decision);
      if (decision.kind === 'drop') return decision.position;
      const replaceable = dedupe.mode === 'replace' || dedupe.mode === 'extend';
      const { deliverAt: _deliverAt, ...rest } = message;
      const position = single({
        ...rest,
        ...(decision.deliverAt === undefined ? {} : { deliverAt: decision.deliverAt }),
        ...(replaceable ? { headers: { ...message.headers, [DEDUPE_HEADER]: dedupe.key } } : {}),
      });
      if (decision.supersedes !== undefined) {
        this.#stmt.supersede.run(topic.id, decision.supersedes.partition, Number(decision.supersedes.offset));
      }
      this.#stmt.putDedupe.run(
        topic.id,
        dedupe.key,
        position.partition,
        Number(position.offset),
        decision.firstAt,
        decision.expiresAt,
        decision.deliverAt ?? null,
      );
      return position;
    });
  }

  /** Whether a later message of its dedupe key replaced this one before it was delivered. */
  isSuperseded(topic: TopicInfo, partition: number, offset: number): boolean {
    return this.#stmt.isSuperseded.get(topic.id, partition, offset) !== undefined;
  }

  /**
   * The partitions that received batches after batch `afterSeq` (with the last offset written to
   * each), and the newest batch now (0 when none). Batch numbers only grow, unless retention
   * emptied the table, which `last < afterSeq` shows: then any topic may have received some.
   */
  appendedSince(afterSeq: number): { readonly last: number; readonly appended: AppendedPartitions } {
    const last = this.#stmt.lastSeq.get() ?? 0;
    const appended = new Map<number, Map<number, number>>();
    if (last <= afterSeq) return { last, appended };
    for (const row of this.#stmt.partitionsAfter.all(afterSeq)) {
      noteLastOffset(appended, row.topic_id, row.partition, row.last_offset);
    }
    return { last, appended };
  }

  /** Oldest retained offset of a partition. */
  firstOffset(topic: TopicInfo, partition: number): number {
    return this.#stmt.firstOffset.get(topic.id, partition) ?? 0;
  }
}
