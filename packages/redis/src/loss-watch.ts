import { type EddyError } from '@eddy/core';
import { PositionLostError } from '@eddy/core/internal';
import type { Redis } from 'ioredis';

import type { KeySpace } from './keys.js';
import { takeTrimmedUnread } from './trim-loss.js';

/** The topic-meta field a publisher with retention sets: only such topics are checked. */
export const RETENTION_FIELD = 'retention';

export interface LossWatchOptions {
  readonly redis: Redis;
  readonly keys: KeySpace;
  readonly topic: string;
  readonly group: string;
  /** Redis 7 or newer: groups' read counts exist (`entries-read`). */
  readonly countsReads: boolean;
  /** Shortest time between two checks of one partition, ms. */
  readonly intervalMs: number;
  readonly onError: (error: EddyError) => void;
  readonly report: (error: unknown, doing: string) => void;
}

/** Reports entries that retention trimmed before the group processed them (`PositionLostError`). */
export interface LossWatch {
  /** The member took `partition` over: check it now. Never rejects. */
  adopted(partition: number): Promise<void>;
  /** Checks the owned partitions whose last check is at least `intervalMs` old. Never rejects. */
  sweep(owned: readonly number[]): Promise<void>;
  /** Pending entries (delivered, not acknowledged) that were trimmed: at-least-once was broken. */
  pendingTrimmed(partition: number, ids: readonly string[]): void;
}

/**
 * Checks cost two `XINFO` calls in one script per partition, so they run only when a member adopts a
 * partition and then at most every `intervalMs` per owned partition, never per message, and only on
 * topics a publisher trims (it marks the topic's meta hash). Whether a topic is trimmed is looked
 * up again at most every `intervalMs` while it is not.
 */
export function createLossWatch(options: LossWatchOptions): LossWatch {
  const { redis, keys, topic, group } = options;
  const checkedAt = new Map<number, number>();
  let trimmed = false;
  let lookedUpAt = Number.NEGATIVE_INFINITY;
  // Partitions are adopted in parallel: they share one look-up rather than skip it.
  let lookUp: Promise<boolean> | undefined;

  const topicIsTrimmed = (): Promise<boolean> => {
    if (trimmed || !options.countsReads) return Promise.resolve(trimmed);
    if (lookUp !== undefined) return lookUp;
    if (Date.now() - lookedUpAt < options.intervalMs) return Promise.resolve(false);
    lookedUpAt = Date.now();
    lookUp = redis
      .hexists(keys.topicMeta(topic), RETENTION_FIELD)
      .then((found) => (trimmed = found === 1))
      .finally(() => (lookUp = undefined));
    return lookUp;
  };

  const lost = (partition: number, from: string, to: string): void => {
    options.onError(new PositionLostError({ topic, group, partition, from, to }));
  };

  const check = async (partition: number): Promise<void> => {
    checkedAt.set(partition, Date.now());
    const range = await takeTrimmedUnread(
      redis,
      keys.stream(topic, partition),
      keys.trimLoss(topic, group, partition),
      group,
    );
    if (range !== undefined) lost(partition, range.from, range.to);
  };

  const guarded = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      options.report(error, 'checking for messages removed by retention');
    }
  };

  return {
    adopted: (partition) =>
      guarded(async () => {
        if (await topicIsTrimmed()) await check(partition);
      }),
    sweep: (owned) =>
      guarded(async () => {
        if (!(await topicIsTrimmed())) return;
        const now = Date.now();
        for (const partition of owned) {
          if (now - (checkedAt.get(partition) ?? 0) >= options.intervalMs) await check(partition);
        }
      }),
    pendingTrimmed(partition, ids) {
      const first = ids[0];
      const last = ids[ids.length - 1];
      if (first !== undefined && last !== undefined) lost(partition, first, last);
    },
  };
}
