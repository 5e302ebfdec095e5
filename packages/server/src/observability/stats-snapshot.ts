import type { TopicSummary } from '@eddy/core';
import type { BackendAdmin } from '../admin/backend-admin.js';
import { isInternalGroup, isInternalTopic } from '../admin/internal-names.js';
import { deadLetterDepth } from './dead-letter-depth.js';

/** What one history sample reads from the backend: counters and gauges, not rates. */
export interface StatsSnapshot {
  readonly topics: readonly {
    readonly name: string;
    /** Grows by one per message published to the topic. */
    readonly published: number;
    /** Grows by one per message a group of the topic settles (summed over groups). */
    readonly consumed: number;
  }[];
  readonly groups: readonly { readonly topic: string; readonly group: string; readonly lag: number }[];
  readonly deadLetters: readonly { readonly topic: string; readonly depth: number }[];
}

const NUMERIC = /^\d+$/;

/**
 * Where offsets are numbers, the sum of the partitions' next offsets: exact across retention. Elsewhere
 * (Redis stream ids) the stored count, which retention can lower (rates are never shown negative).
 */
function publishedOf(topic: TopicSummary): number {
  const partitions = topic.partitionInfo;
  if (!partitions.every((p) => NUMERIC.test(p.firstOffset) && NUMERIC.test(p.lastOffset ?? '0'))) {
    return topic.messages;
  }
  return partitions.reduce(
    (sum, p) => sum + (p.lastOffset === undefined ? Number(p.firstOffset) : Number(p.lastOffset) + 1),
    0,
  );
}

/** Reads a snapshot through the transport's admin; undefined without one. */
export async function readStatsSnapshot(admin: BackendAdmin | undefined): Promise<StatsSnapshot | undefined> {
  if (admin === undefined) return undefined;
  const [allTopics, allGroups] = await Promise.all([admin.listTopics(), admin.listGroups()]);
  const topics = allTopics.filter((topic) => !isInternalTopic(topic.name));
  const groups = allGroups.filter((group) => !isInternalGroup(group.group));
  const queues = topics.filter((topic) => topic.name.endsWith('.dlq'));
  // Live entries, as eddy_gateway_dlq_depth counts them: redriven and purged ones stay stored.
  const depths = await Promise.all(queues.map((queue) => deadLetterDepth(admin, queue, allTopics)));
  return {
    topics: topics.map((topic) => {
      const own = groups.filter((group) => group.topic === topic.name);
      const positions = own.flatMap((group) => group.partitions.map((p) => p.position));
      const consumed = positions.every((position) => NUMERIC.test(position))
        ? positions.reduce((sum, position) => sum + Number(position), 0)
        : own.reduce((sum, group) => sum + Math.max(0, topic.messages - group.lag), 0);
      return { name: topic.name, published: publishedOf(topic), consumed };
    }),
    groups: groups.map((group) => ({ topic: group.topic, group: group.group, lag: group.lag })),
    deadLetters: queues.map((queue, index) => ({ topic: queue.name, depth: depths[index] ?? 0 })),
  };
}
