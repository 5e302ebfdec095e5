import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SqliteDatabase } from './schema.js';

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

// Small chunks, each its own short transaction with a turn of the event loop in between, so that
// publishers (here and in other processes) wait at most one chunk for the write lock.
const CHUNK = 2_000;

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
      firstAfter: db
        .prepare<[number, number, number, number], number>(
          `SELECT log_offset FROM eddy_messages WHERE topic_id = ? AND partition = ? AND log_offset >= ?
           AND published_at >= ? ORDER BY log_offset LIMIT 1`,
        )
        .pluck(),
      sizes: db.prepare<[number, number, number, number], { log_offset: number; size: number }>(
        `SELECT log_offset, size FROM eddy_messages WHERE topic_id = ? AND partition = ? AND log_offset >= ?
         ORDER BY log_offset LIMIT ?`,
      ),
      current: db.prepare<[number, number], PartitionRow>(
        'SELECT partition, first_offset, next_offset, bytes FROM eddy_partitions WHERE topic_id = ? AND partition = ?',
      ),
      deleted: db
        .prepare<[number, number, number, number], number>(
          `SELECT total(size) FROM eddy_messages WHERE topic_id = ? AND partition = ? AND log_offset >= ? AND log_offset < ?`,
        )
        .pluck(),
      delete: db.prepare(
        'DELETE FROM eddy_messages WHERE topic_id = ? AND partition = ? AND log_offset >= ? AND log_offset < ?',
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

  async #run(now: number): Promise<number> {
    let removed = 0;
    for (const topic of this.#stmt.topics.all()) {
      for (const partition of this.#stmt.partitions.all(topic.topic_id)) {
        const cut = this.#cutOffset(topic, partition, now);
        let from = partition.first_offset;
        while (from < cut) {
          const to = Math.min(cut, from + CHUNK);
          removed += this.#db
            .transaction(() => {
              // Re-read inside the lock: another process may have trimmed this partition already.
              const current = this.#stmt.current.get(topic.topic_id, partition.partition);
              if (current === undefined || current.first_offset >= to) return 0;
              const start = current.first_offset;
              const bytes = this.#stmt.deleted.get(topic.topic_id, partition.partition, start, to) ?? 0;
              const count = this.#stmt.delete.run(topic.topic_id, partition.partition, start, to).changes;
              this.#stmt.advance.run(to, bytes, topic.topic_id, partition.partition);
              return count;
            })
            .immediate();
          from = to;
          await nextTurn();
        }
      }
    }
    return removed;
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
      let excess = partition.bytes - topic.retention_bytes;
      let offset = partition.first_offset;
      while (excess > 0 && offset < partition.next_offset) {
        const rows = this.#stmt.sizes.all(topicId, partition.partition, offset, 1_000);
        if (rows.length === 0) break;
        for (const row of rows) {
          if (excess <= 0) break;
          excess -= row.size;
          offset = row.log_offset + 1;
        }
      }
      cut = Math.max(cut, offset);
    }
    return Math.min(cut, partition.next_offset);
  }
}
