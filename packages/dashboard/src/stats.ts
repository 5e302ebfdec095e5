import type { GroupJson, TopicJson } from '@eddy/server/api';
import { api, ApiError } from './api.js';
import { isNumericOffset } from './offsets.js';

/** One second's view of a topic: totals and the rates since the previous sample. */
export interface TopicSample {
  readonly at: number;
  readonly messages: number;
  /** Sum over the topic's groups of their positions: grows by one per message a group settles. */
  readonly consumed: bigint;
  readonly publishRate: number;
  readonly consumeRate: number;
}

/**
 * A counter that grows by one per message a group settles. Where offsets are numbers, the sum of the
 * groups' positions (exact across retention); elsewhere (Redis stream ids) stored messages minus
 * lag, per group.
 */
function consumedOf(topic: TopicJson, groups: readonly GroupJson[]): bigint {
  const positions = groups.flatMap((group) => group.partitions.map((p) => p.position));
  if (positions.every(isNumericOffset)) return positions.reduce((sum, p) => sum + BigInt(p), 0n);
  return groups.reduce((sum, group) => sum + BigInt(Math.max(0, topic.messages - group.lag)), 0n);
}

/** Seconds of history the charts show. */
export const HISTORY = 60;

/** Polls topics and groups; keeps rate history per topic for the charts. */
export class Stats {
  topics: readonly TopicJson[] = [];
  groups: readonly GroupJson[] = [];
  readonly history = new Map<string, TopicSample[]>();
  error: string | undefined;

  async refresh(): Promise<void> {
    try {
      const [topics, groups] = await Promise.all([api.topics(), api.groups()]);
      this.topics = topics;
      this.groups = groups;
      this.error = undefined;
    } catch (error) {
      this.error =
        error instanceof ApiError
          ? `${error.code}: ${error.message}`
          : `Cannot reach the Eddy server (${error instanceof Error ? error.message : String(error)}); is eddy dev running?`;
      return;
    }
    const now = Date.now();
    for (const topic of this.topics) {
      const consumed = consumedOf(
        topic,
        this.groups.filter((group) => group.topic === topic.name),
      );
      const samples = this.history.get(topic.name) ?? [];
      const previous = samples.at(-1);
      const seconds = previous === undefined ? 0 : (now - previous.at) / 1000;
      samples.push({
        at: now,
        messages: topic.messages,
        consumed,
        // Retention can shrink counts, and a reset moves positions back: never show negative rates.
        publishRate:
          previous === undefined || seconds <= 0
            ? 0
            : Math.max(0, (topic.messages - previous.messages) / seconds),
        consumeRate:
          previous === undefined || seconds <= 0
            ? 0
            : Math.max(0, Number(consumed - previous.consumed) / seconds),
      });
      if (samples.length > HISTORY) samples.shift();
      this.history.set(topic.name, samples);
    }
  }

  latest(topic: string): TopicSample | undefined {
    return this.history.get(topic)?.at(-1);
  }
}
