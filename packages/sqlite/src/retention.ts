import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SqliteDatabase } from './connection.js';

interface RetentionTopicRow {
  topic_id: number;
  retention_ms: number | null;
  retention_messages: number | null;
  retention_bytes: number | null;
}

interface PartitionRow {
  partition: number;
  first_offset: number;
  next_offset: number;
  bytes: number;
}

// Small steps, each its own short transaction with a turn of the event loop in between, so that
// publishers (here and in other processes) wait at most one step for the write lock.
const STEP_OFFSETS = 5_000;

/** Deletes messages beyond each topic's age, count and size limits. */
export class Retention {
  readonly #db: SqliteDatabase;
  readonly #stmt;
  #running: Promise<number> | undefined;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#stmt = {
      topics: db.prepare<[], RetentionTopicRow>(
        `SELECT topic_id, retention_ms, retention_messages, retention_bytes FROM eddy_topics
         WHERE retention_ms > 0 OR retention_messages > 0 OR retention_bytes > 0`,
      ),
      partitions: db.prepare<[number], PartitionRow>(
        'SELECT partition, first_offset, next_offset, bytes FROM eddy_partitions WHERE topic_id = ?',
      ),
      current: db.prepare<[number, number], PartitionRow>(
        'SELECT partition, first_offset, next_offset, bytes FROM eddy_partitions WHERE topic_id = ? AND partition = ?',
      ),
      firstAfter: db
        .prepare<[number, number, number, number], number>(
          `SELECT base_offset FROM eddy_batches WHERE topic_id = ? AND partition = ? AND last_offset >= ?
           AND published_at >= ? ORDER BY last_offset LIMIT 1`,
        )
        .pluck(),
      batches: db.prepare<[number, number, number], { last_offset: number; bytes: number }>(
        `SELECT last_offset, bytes FROM eddy_batches WHERE topic_id = ? AND partition = ? AND last_offset >= ?
         ORDER BY last_offset LIMIT 1000`,
      ),
      deletedBytes: db
        .prepare<[number, number, number], number>(
          'SELECT total(bytes) FROM eddy_batches WHERE topic_id = ? AND partition = ? AND last_offset < ?',
        )
        .pluck(),
      delete: db.prepare('DELETE FROM eddy_batches WHERE topic_id = ? AND partition = ? AND last_offset < ?'),
      expiredDedupe: db.prepare('DELETE FROM eddy_publish_dedupe WHERE expires_at < ?'),
      trimmedSuperseded: db.prepare(
        `DELETE FROM eddy_superseded WHERE log_offset < (SELECT p.first_offset FROM eddy_partitions p
         WHERE p.topic_id = eddy_superseded.topic_id AND p.partition = eddy_superseded.partition)`,
      ),
      advance: db.prepare(
        'UPDATE eddy_partitions SET first_offset = ?, bytes = max(0, bytes - ?) WHERE topic_id = ? AND partition = ?',
      ),
    };
  }

  /** Runs one pass over every topic with limits; returns how many messages were removed. */
  run(now = Date.now()): Promise<number> {
    this.#running ??= this.#run(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Resolves when a pass in progress (if any) has finished. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => 0);
  }

  async #run(now: number): Promise<number> {
    // Publish-dedupe bookkeeping: records past their window decide nothing any more, and a
    // replaced message's mark is needed only while a group may still read the message.
    this.#db
      .transaction(() => {
        this.#stmt.expiredDedupe.run(now);
        this.#stmt.trimmedSuperseded.run();
      })
      .immediate();
    let removed = 0;
    for (const topic of this.#stmt.topics.all()) {
      for (const partition of this.#stmt.partitions.all(topic.topic_id)) {
        const cut = this.#cutOffset(topic, partition, now);
        for (let from = partition.first_offset; from < cut; from += STEP_OFFSETS) {
          removed += this.#trim(topic.topic_id, partition.partition, Math.min(cut, from + STEP_OFFSETS));
          await nextTurn();
        }
      }
    }
    return removed;
  }

  // Whole batches below `to` go; a batch straddling it stays until it is entirely old, its older
  // messages hidden by first_offset (readers and admin start there).
  #trim(topicId: number, partition: number, to: number): number {
    return this.#db
      .transaction(() => {
        // Re-read inside the lock: another process may have trimmed this partition already.
        const current = this.#stmt.current.get(topicId, partition);
        if (current === undefined || current.first_offset >= to) return 0;
        const bytes = this.#stmt.deletedBytes.get(topicId, partition, to) ?? 0;
        this.#stmt.delete.run(topicId, partition, to);
        this.#stmt.advance.run(to, bytes, topicId, partition);
        return to - current.first_offset;
      })
      .immediate();
  }

  #cutOffset(topic: RetentionTopicRow, partition: PartitionRow, now: number): number {
    const { topic_id: topicId } = topic;
    let cut = partition.first_offset;
    if (topic.retention_messages !== null && topic.retention_messages > 0) {
      cut = Math.max(cut, partition.next_offset - topic.retention_messages);
    }
    if (topic.retention_ms !== null && topic.retention_ms > 0) {
      const keepFrom = this.#stmt.firstAfter.get(topicId, partition.partition, cut, now - topic.retention_ms);
      cut = Math.max(cut, keepFrom ?? partition.next_offset);
    }
    if (
      topic.retention_bytes !== null &&
      topic.retention_bytes > 0 &&
      partition.bytes > topic.retention_bytes
    ) {
      // Whole batches, oldest first, while what remains is still over the limit.
      let excess = partition.bytes - topic.retention_bytes;
      let offset = partition.first_offset;
      scan: while (excess > 0) {
        const rows = this.#stmt.batches.all(topicId, partition.partition, offset);
        if (rows.length === 0) break;
        for (const row of rows) {
          if (excess <= 0) break scan;
          excess -= row.bytes;
          offset = row.last_offset + 1;
        }
      }
      cut = Math.max(cut, offset);
    }
    return Math.min(cut, partition.next_offset);
  }
}
