import type { Headers, Position } from '../transport/message.js';
import type { DedupeRecord } from '../transport/publish-dedupe.js';

/** One stored message. Immutable once appended; every group reads the same entry. */
export interface LogEntry {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | undefined;
  readonly headers: Headers;
  readonly payload: Uint8Array;
  readonly publishedAt: number;
  readonly deliverAt: number | undefined;
  /** Replaced by a later message of its dedupe key before delivery: skipped by every group. */
  superseded: boolean;
}

/** A topic: an append-only array per partition. Offsets are array indexes. */
export class TopicLog {
  readonly partitions: LogEntry[][];
  /** Next partition for a keyless message: keyless messages go round-robin. */
  roundRobin = 0;
  /** Publish-time dedupe records by key. */
  readonly dedupe = new Map<string, DedupeRecord>();
  private lastPublishedAt = 0;

  constructor(
    readonly name: string,
    partitionCount: number,
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  /**
   * A publish time that never goes backwards, so `{ time }` start positions can binary-search
   * each partition even if the wall clock steps back.
   */
  nextPublishedAt(): number {
    this.lastPublishedAt = Math.max(this.lastPublishedAt, Date.now());
    return this.lastPublishedAt;
  }

  entry(position: Position): LogEntry | undefined {
    return this.partitions[position.partition]?.[Number(position.offset)];
  }

  append(entry: LogEntry): Position {
    this.partitions[entry.partition]!.push(entry);
    return { partition: entry.partition, offset: String(entry.offset) };
  }

  /** Per partition, the index of the first entry published at or after `time`. */
  offsetsAtTime(time: number): number[] {
    return this.partitions.map((entries) => {
      let low = 0;
      let high = entries.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (entries[middle]!.publishedAt < time) low = middle + 1;
        else high = middle;
      }
      return low;
    });
  }
}
