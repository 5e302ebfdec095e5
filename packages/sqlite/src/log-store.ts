import {
  InvalidOptionError,
  partitionForKey,
  type Headers,
  type OutgoingMessage,
  type Position,
} from '@eddy/core';
import { formatOffset } from './offsets.js';
import type { RetentionOptions, TopicOptions } from './options.js';
import type { SqliteDatabase } from './schema.js';

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

interface MessageRow {
  log_offset: number;
  published_at: number;
  deliver_at: number | null;
  msg_key: string | null;
  headers: string | null;
  payload: Buffer;
}

interface TopicRow {
  topic_id: number;
  name: string;
  partitions: number;
}

const EMPTY_HEADERS: Headers = Object.freeze({});

function toStored(partition: number, row: MessageRow): StoredMessage {
  return {
    partition,
    offset: row.log_offset,
    key: row.msg_key ?? undefined,
    headers: row.headers === null ? EMPTY_HEADERS : (JSON.parse(row.headers) as Headers),
    payload: row.payload,
    publishedAt: row.published_at,
    deliverAt: row.deliver_at ?? undefined,
  };
}

export interface AppendRequest {
  readonly topic: TopicInfo;
  readonly messages: readonly OutgoingMessage[];
  readonly sizes: readonly number[];
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
      insertMessage: db.prepare(
        `INSERT INTO eddy_messages (topic_id, partition, log_offset, published_at, deliver_at, size, msg_key, headers, payload)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      read: db.prepare<[number, number, number, number], MessageRow>(
        `SELECT log_offset, published_at, deliver_at, msg_key, headers, payload FROM eddy_messages
         WHERE topic_id = ? AND partition = ? AND log_offset >= ? ORDER BY log_offset LIMIT ?`,
      ),
      firstOffset: db
        .prepare<[number, number], number>(
          'SELECT first_offset FROM eddy_partitions WHERE topic_id = ? AND partition = ?',
        )
        .pluck(),
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
   * Writes several publish requests; must run inside a write transaction. Offsets come from the
   * partition row read inside that transaction, so concurrent writers (other processes) never collide.
   */
  appendAll(requests: readonly AppendRequest[], now: number): Position[][] {
    const next = new Map<string, { topicId: number; partition: number; offset: number; bytes: number }>();
    const results: Position[][] = [];
    for (const request of requests) {
      const positions: Position[] = [];
      request.messages.forEach((message, index) => {
        const partition = this.partitionOf(request.topic, message);
        const slot = `${request.topic.id}:${partition}`;
        let state = next.get(slot);
        if (state === undefined) {
          const offset = this.#stmt.nextOffset.get(request.topic.id, partition);
          if (offset === undefined) {
            throw new InvalidOptionError(`Topic "${request.topic.name}" has no partition ${partition}.`);
          }
          state = { topicId: request.topic.id, partition, offset, bytes: 0 };
          next.set(slot, state);
        }
        const size = request.sizes[index]!;
        const headers = message.headers;
        this.#stmt.insertMessage.run(
          request.topic.id,
          partition,
          state.offset,
          now,
          message.deliverAt ?? null,
          size,
          message.key ?? null,
          headers === undefined || Object.keys(headers).length === 0 ? null : JSON.stringify(headers),
          message.payload,
        );
        positions.push({ partition, offset: formatOffset(state.offset) });
        state.offset += 1;
        state.bytes += size;
      });
      results.push(positions);
    }
    for (const state of next.values())
      this.#stmt.advance.run(state.offset, state.bytes, state.topicId, state.partition);
    return results;
  }

  /** Up to `limit` messages of one partition from `fromOffset` (inclusive), in offset order. */
  read(topic: TopicInfo, partition: number, fromOffset: number, limit: number): StoredMessage[] {
    return this.#stmt.read.all(topic.id, partition, fromOffset, limit).map((row) => toStored(partition, row));
  }

  /** Oldest retained offset of a partition. */
  firstOffset(topic: TopicInfo, partition: number): number {
    return this.#stmt.firstOffset.get(topic.id, partition) ?? 0;
  }
}
