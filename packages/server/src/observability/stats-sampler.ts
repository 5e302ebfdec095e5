import type { StatsHistoryResponse } from '../http/api-types.js';
import { HistoryRing } from './history-ring.js';
import type { ResolvedStatsHistoryOptions } from './stats-history-options.js';
import type { StatsSnapshot } from './stats-snapshot.js';

/** Time and timers of the sampler; tests pass a clock they move by hand. */
export interface StatsClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: StatsClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // History must never keep a process alive that is otherwise done.
    timer.unref();
    return () => clearInterval(timer);
  },
};

const SEP = '\u0000';
const keyOf = (...parts: readonly string[]): string => parts.join(SEP);

/**
 * Samples the backend every `intervalMs` into bounded rings: publish and consume rate per topic
 * (from counters, so a missed sample only widens a step), lag per consumer group and depth per
 * dead-letter queue. A read that fails or is still running when the next one is due is skipped.
 */
export class StatsSampler {
  private readonly ring: HistoryRing;
  private previous: { at: number; counters: Map<string, number> } | undefined;
  private running: Promise<void> | undefined;
  private stopTimer: (() => void) | undefined;

  constructor(
    private readonly read: () => Promise<StatsSnapshot | undefined>,
    readonly options: ResolvedStatsHistoryOptions,
    private readonly clock: StatsClock = systemClock,
  ) {
    const capacity = options.intervalMs === 0 ? 1 : Math.ceil(options.retentionMs / options.intervalMs);
    this.ring = new HistoryRing(capacity, options.maxSeries);
  }

  /** Takes a sample now, then one every `intervalMs`; nothing when sampling is off. */
  start(): void {
    if (this.options.intervalMs === 0 || this.stopTimer !== undefined) return;
    this.stopTimer = this.clock.every(this.options.intervalMs, () => void this.sample());
    void this.sample();
  }

  /** Stops the timer and waits for a sample in progress. */
  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.running;
  }

  /** Takes one sample now, unless one is in progress (then resolves when that one is done). */
  sample(): Promise<void> {
    this.running ??= this.take().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async take(): Promise<void> {
    let snapshot: StatsSnapshot | undefined;
    try {
      snapshot = await this.read();
    } catch {
      // A backend that does not answer leaves a gap in the charts, not a failing gateway.
      return;
    }
    if (snapshot === undefined) return;
    const at = this.clock.now();
    const counters = new Map<string, number>();
    const values = new Map<string, number>();
    const seconds = this.previous === undefined ? 0 : (at - this.previous.at) / 1_000;
    for (const topic of snapshot.topics) {
      for (const [kind, counter] of [
        ['p', topic.published],
        ['c', topic.consumed],
      ] as const) {
        const key = keyOf(kind, topic.name);
        counters.set(key, counter);
        const before = this.previous?.counters.get(key);
        // Retention can lower a count and a reset moves positions back: never a negative rate.
        if (before !== undefined && seconds > 0) values.set(key, Math.max(0, (counter - before) / seconds));
      }
    }
    for (const group of snapshot.groups) values.set(keyOf('l', group.topic, group.group), group.lag);
    for (const queue of snapshot.deadLetters) values.set(keyOf('d', queue.topic), queue.depth);
    this.previous = { at, counters };
    this.ring.record(at, values);
  }

  /** What `GET /v1/stats/history` answers: samples taken at or after `since` (epoch ms). */
  history(since?: number): StatsHistoryResponse {
    const { times, series } = this.ring.read(since);
    const empty = times.map(() => null);
    const topics = new Map<string, { publishRate: (number | null)[]; consumeRate: (number | null)[] }>();
    const groups: StatsHistoryResponse['groups'][number][] = [];
    const deadLetters: StatsHistoryResponse['deadLetters'][number][] = [];
    for (const [key, column] of series) {
      const [kind = '', topic = '', group = ''] = key.split(SEP);
      if (kind === 'p' || kind === 'c') {
        const entry = topics.get(topic) ?? { publishRate: empty, consumeRate: empty };
        topics.set(
          topic,
          kind === 'p' ? { ...entry, publishRate: column } : { ...entry, consumeRate: column },
        );
      } else if (kind === 'l') groups.push({ topic, group, lag: column });
      else deadLetters.push({ topic, depth: column });
    }
    const byName = (a: string, b: string) => a.localeCompare(b);
    return {
      intervalMs: this.options.intervalMs,
      retentionMs: this.options.retentionMs,
      times,
      topics: [...topics].sort(([a], [b]) => byName(a, b)).map(([topic, rates]) => ({ topic, ...rates })),
      groups: groups.sort((a, b) => byName(a.topic, b.topic) || byName(a.group, b.group)),
      deadLetters: deadLetters.sort((a, b) => byName(a.topic, b.topic)),
    };
  }
}
