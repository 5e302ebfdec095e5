import type { GroupJson, StatsHistoryResponse, TopicJson } from '@eddy/server/api';
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

/** Browser samples kept per topic (one a second): the live end of the charts. */
export const HISTORY = 60;

/** One point of a chart line; a null value is a gap. */
export interface Point {
  readonly at: number;
  readonly value: number | null;
}

/** Series of the gateway's own history, by kind. */
type ServerSeries = 'publishRate' | 'consumeRate' | 'lag' | 'depth';

/** Shortest time between two reads of the gateway's history, ms. */
const MIN_HISTORY_POLL_MS = 5_000;

/** Polls topics and groups; keeps rate history per topic for the charts. */
export class Stats {
  topics: readonly TopicJson[] = [];
  groups: readonly GroupJson[] = [];
  readonly history = new Map<string, TopicSample[]>();
  error: string | undefined;
  /** True once topics and groups have been read: an empty list is then really empty. */
  loaded = false;
  /** Why the gateway's history could not be read; the charts then show this tab's samples only. */
  historyError: string | undefined;
  /** What the gateway samples (`intervalMs` 0: it keeps no history). */
  historyConfig: { intervalMs: number; retentionMs: number } | undefined;
  private readonly server = new Map<string, Point[]>();
  private historyReadAt = 0;
  private historyUntil: number | undefined;

  /**
   * Reads the gateway's sampled history (all of it the first time, then what is new), so charts
   * show the last hours from the first page load, not only what this tab has seen.
   */
  async refreshHistory(now = Date.now()): Promise<void> {
    const interval = Math.max(MIN_HISTORY_POLL_MS, this.historyConfig?.intervalMs ?? 0);
    if (this.historyReadAt !== 0 && now - this.historyReadAt < interval) return;
    this.historyReadAt = now;
    let answer: StatsHistoryResponse;
    try {
      answer = await api.history(this.historyUntil === undefined ? undefined : this.historyUntil + 1);
      this.historyError = undefined;
    } catch (error) {
      this.historyError = error instanceof Error ? error.message : String(error);
      return;
    }
    this.historyConfig = { intervalMs: answer.intervalMs, retentionMs: answer.retentionMs };
    const append = (key: string, values: readonly (number | null)[]) => {
      const points = this.server.get(key) ?? [];
      answer.times.forEach((at, index) => points.push({ at, value: values[index] ?? null }));
      this.server.set(key, points);
    };
    for (const topic of answer.topics) {
      append(`publishRate\u0000${topic.topic}`, topic.publishRate);
      append(`consumeRate\u0000${topic.topic}`, topic.consumeRate);
    }
    for (const group of answer.groups) append(`lag\u0000${group.topic}\u0000${group.group}`, group.lag);
    for (const queue of answer.deadLetters) append(`depth\u0000${queue.topic}`, queue.depth);
    this.historyUntil = answer.times.at(-1) ?? this.historyUntil;
    const oldest = now - answer.retentionMs;
    for (const [key, points] of this.server) {
      const kept = points.filter((point) => point.at >= oldest);
      if (kept.length === 0) this.server.delete(key);
      else this.server.set(key, kept);
    }
  }

  /** The gateway's samples of one series (topic, or topic and group for lag). */
  serverPoints(kind: ServerSeries, topic: string, group?: string): readonly Point[] {
    return this.server.get([kind, topic, ...(group === undefined ? [] : [group])].join('\u0000')) ?? [];
  }

  /** A topic's rate: the gateway's samples up to where this tab's own (one a second) begin. */
  ratePoints(topic: string, kind: 'publishRate' | 'consumeRate'): Point[] {
    const local = this.history.get(topic) ?? [];
    const start = local[1]?.at ?? Number.POSITIVE_INFINITY;
    // The first local sample has no rate yet (nothing to compare with): it is left out.
    return [
      ...this.serverPoints(kind, topic).filter((point) => point.at < start),
      ...local.slice(1).map((sample) => ({ at: sample.at, value: sample[kind] })),
    ];
  }

  async refresh(): Promise<void> {
    try {
      const [topics, groups] = await Promise.all([api.topics(), api.groups()]);
      this.topics = topics;
      this.groups = groups;
      this.error = undefined;
      this.loaded = true;
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
    await this.refreshHistory(now);
  }

  latest(topic: string): TopicSample | undefined {
    return this.history.get(topic)?.at(-1);
  }
}
