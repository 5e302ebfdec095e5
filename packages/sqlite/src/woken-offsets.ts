import { noteLastOffset, type AppendedPartitions } from './notifier.js';

/**
 * The last offset of each partition whose commit has woken this transport's subscriptions. A batch
 * at or below it was committed before that commit, since offsets are given out in one write
 * transaction at a time, so the read that the wake started saw it: waking for it again would read
 * nothing new. The check for other connections' commits uses this to skip the commits this process
 * made itself, which it finds too (an acknowledgement on the transport's second connection changes
 * `data_version`, and the new batches then include this process's own).
 */
export class WokenOffsets {
  readonly #byTopic = new Map<number, Map<number, number>>();

  /** Notes that subscriptions were woken for `appended`. */
  record(appended: AppendedPartitions): void {
    for (const [topicId, partitions] of appended) {
      for (const [partition, last] of partitions) noteLastOffset(this.#byTopic, topicId, partition, last);
    }
  }

  /** The part of `appended` past what subscriptions were already woken for. */
  unseen(appended: AppendedPartitions): AppendedPartitions {
    const fresh = new Map<number, Map<number, number>>();
    for (const [topicId, partitions] of appended) {
      const woken = this.#byTopic.get(topicId);
      for (const [partition, last] of partitions) {
        if (woken === undefined || last > (woken.get(partition) ?? -1)) {
          noteLastOffset(fresh, topicId, partition, last);
        }
      }
    }
    return fresh;
  }
}
