import { describe, expect, it } from 'vitest';
import { resolveStatsHistoryOptions } from '../src/observability/stats-history-options.js';
import { StatsSampler, type StatsClock } from '../src/observability/stats-sampler.js';
import type { StatsSnapshot } from '../src/observability/stats-snapshot.js';

/** A clock moved by hand: `advance` fires the sampler's timer once per interval passed. */
function fakeClock(start = 1_000_000) {
  let now = start;
  let timer: { ms: number; tick: () => void; next: number } | undefined;
  const clock: StatsClock = {
    now: () => now,
    every(ms, tick) {
      timer = { ms, tick, next: now + ms };
      return () => {
        timer = undefined;
      };
    },
  };
  return {
    clock,
    get running() {
      return timer !== undefined;
    },
    advance(ms: number) {
      const end = now + ms;
      while (timer !== undefined && timer.next <= end) {
        now = timer.next;
        timer.next += timer.ms;
        timer.tick();
      }
      now = end;
    },
  };
}

/** Counters that grow by `perTick` per sample: published, consumed, lag and DLQ depth. */
function growingSource(perTick: { published: number; consumed: number }) {
  let tick = 0;
  const topics = new Set(['orders']);
  return {
    topics,
    read: (): Promise<StatsSnapshot> => {
      tick += 1;
      return Promise.resolve({
        topics: [...topics].map((name) => ({
          name,
          published: tick * perTick.published,
          consumed: tick * perTick.consumed,
        })),
        groups: [{ topic: 'orders', group: 'billing', lag: tick }],
        deadLetters: [{ topic: 'orders.dlq', depth: 2 }],
      });
    },
  };
}

/** Lets the sampler's pending read settle (its promise chain only, no timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('StatsSampler', () => {
  it('samples every interval into rates, lag and depth, aligned with the sample times', async () => {
    const time = fakeClock();
    const source = growingSource({ published: 100, consumed: 50 });
    const sampler = new StatsSampler(
      source.read,
      resolveStatsHistoryOptions({ intervalMs: 10_000, retentionMs: 60_000 }),
      time.clock,
    );
    sampler.start();
    await settle();
    for (let n = 0; n < 3; n += 1) {
      time.advance(10_000);
      await settle();
    }
    const history = sampler.history();
    expect(history.times).toEqual([1_000_000, 1_010_000, 1_020_000, 1_030_000]);
    // 100 published per 10 s = 10/s; the first sample has nothing to compare with.
    expect(history.topics).toEqual([
      { topic: 'orders', publishRate: [null, 10, 10, 10], consumeRate: [null, 5, 5, 5] },
    ]);
    expect(history.groups).toEqual([{ topic: 'orders', group: 'billing', lag: [1, 2, 3, 4] }]);
    expect(history.deadLetters).toEqual([{ topic: 'orders.dlq', depth: [2, 2, 2, 2] }]);
    expect(sampler.history(1_020_000).times).toEqual([1_020_000, 1_030_000]);
    await sampler.stop();
    expect(time.running).toBe(false);
  });

  it('keeps only retentionMs of samples and drops series that left it', async () => {
    const time = fakeClock();
    const source = growingSource({ published: 10, consumed: 0 });
    source.topics.add('gone');
    const sampler = new StatsSampler(
      source.read,
      resolveStatsHistoryOptions({ intervalMs: 1_000, retentionMs: 5_000 }),
      time.clock,
    );
    sampler.start();
    await settle();
    time.advance(1_000);
    await settle();
    source.topics.delete('gone');
    for (let n = 0; n < 20; n += 1) {
      time.advance(1_000);
      await settle();
    }
    const history = sampler.history();
    // A ring of 5: the newest five samples, the topic that went away forgotten.
    expect(history.times).toHaveLength(5);
    expect(history.times.at(-1)).toBe(1_000_000 + 21_000);
    expect(history.topics.map((t) => t.topic)).toEqual(['orders']);
    expect(history.topics[0]?.publishRate).toEqual([10, 10, 10, 10, 10]);
    await sampler.stop();
  });

  it('never shows a negative rate, skips failed reads, and caps the number of series', async () => {
    const time = fakeClock();
    const counts = [100, 0, 40, 60];
    let call = 0;
    const sampler = new StatsSampler(
      () => {
        const published = counts[call] ?? 0;
        call += 1;
        if (call === 2) return Promise.reject(new Error('backend away'));
        return Promise.resolve({
          topics: [
            { name: 'a', published, consumed: 0 },
            { name: 'b', published: 0, consumed: 0 },
          ],
          groups: [],
          deadLetters: [],
        });
      },
      // Two series: topic a's two rates; topic b's do not fit.
      resolveStatsHistoryOptions({ intervalMs: 1_000, retentionMs: 10_000, maxSeries: 2 }),
      time.clock,
    );
    await sampler.sample();
    time.advance(1_000);
    await sampler.sample(); // fails: no sample
    time.advance(1_000);
    await sampler.sample(); // 40 -> counted against 100 two seconds ago: clamped to 0
    time.advance(1_000);
    await sampler.sample(); // 60
    const history = sampler.history();
    expect(history.times).toEqual([1_000_000, 1_002_000, 1_003_000]);
    expect(history.topics).toEqual([{ topic: 'a', publishRate: [null, 0, 20], consumeRate: [null, 0, 0] }]);
  });

  it('rejects options that cannot work, with the code and the fix in the message', () => {
    expect(() => resolveStatsHistoryOptions({ intervalMs: -1 })).toThrowError(
      expect.objectContaining({ code: 'EDDY_INVALID_OPTION' }) as Error,
    );
    expect(() => resolveStatsHistoryOptions({ intervalMs: 10_000, retentionMs: 5_000 })).toThrow(
      /retentionMs \(5000\) must be at least statsHistory.intervalMs/,
    );
    // 0 turns sampling off: start() does nothing and the history is empty.
    const time = fakeClock();
    const sampler = new StatsSampler(
      () => Promise.reject(new Error('never read')),
      resolveStatsHistoryOptions({ intervalMs: 0 }),
      time.clock,
    );
    sampler.start();
    expect(time.running).toBe(false);
    expect(sampler.history()).toMatchObject({ intervalMs: 0, times: [], topics: [] });
  });
});
