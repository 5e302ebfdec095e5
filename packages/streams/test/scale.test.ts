import type { BusEvent } from '@eddy/core';
import { count, createMemoryStateStore, pipeline, sum, tumbling, type WindowResult } from '@eddy/streams';
import { describe, expect, it } from 'vitest';
import { directBus, T0 } from './helpers.js';

type Reading = { sensor: string; v: number };
type Events = { reading: Reading };

const reading = (i: number, sensor: string, time: number, v = 1): BusEvent => ({
  specversion: '1.0',
  id: `r-${i}`,
  source: '/test',
  type: 'reading',
  time: new Date(time).toISOString(),
  data: { sensor, v },
});

describe('pipelines at volume (operators fed directly, memory state)', () => {
  it('aggregates a million events of one key exactly, in bounded memory', async () => {
    const { bus, published, feed } = directBus<Events>();
    const store = createMemoryStateStore();
    const p = pipeline(bus, { name: 'one-key', store, batchSize: 10_000 });
    const keyed = p.from('reading').keyBy((event) => event.data.sensor);
    keyed.aggregate(
      sum((event: BusEvent<'reading', Reading>) => event.data.v),
      { name: 'total' },
    );
    keyed
      .window(tumbling({ sizeMs: 10_000 }), { aggregate: count(), name: 'per-10s' })
      .map((result) => result.value)
      .to('count');
    await p.start();
    const EVENTS = 1_000_000;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    let expected = 0;
    for (let from = 0; from < EVENTS; from += 10_000) {
      const batch: BusEvent[] = [];
      for (let i = from; i < from + 10_000; i++) {
        batch.push(reading(i, 'hot', T0 + i, i % 7));
        expected += i % 7;
      }
      await feed(batch);
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    await p.stop();
    expect(p.stats().processed).toBe(EVENTS);
    expect(await store.get('one-key', 'total|hot')).toBe(expected);
    // One accumulator, one open window and the watermark: closed windows are purged.
    expect(p.stats().stateEntries).toBeLessThanOrEqual(4);
    // 1 ms apart: 100 windows of 10 s, all but the last closed, 10,000 events each.
    const counts = published.map((output) => output.data);
    expect(counts).toHaveLength(99);
    expect(new Set(counts)).toEqual(new Set([10_000]));
    // Nothing per event is kept: the heap grows by far less than a million events would take.
    expect(heapPeak - heapBefore).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  it('keeps 100,000 keys apart', async () => {
    const { bus, feed } = directBus<Events>();
    const store = createMemoryStateStore();
    const p = pipeline(bus, { name: 'many-keys', store, batchSize: 10_000 });
    p.from('reading')
      .keyBy((event) => event.data.sensor)
      .aggregate(count(), { name: 'n' });
    await p.start();
    const KEYS = 100_000;
    const ROUNDS = 3;
    for (let from = 0; from < KEYS * ROUNDS; from += 10_000) {
      const batch: BusEvent[] = [];
      for (let i = from; i < from + 10_000; i++) batch.push(reading(i, `k${(i * 7919) % KEYS}`, T0 + i));
      await feed(batch);
    }
    await p.stop();
    const entries = await store.entries('many-keys');
    expect(entries).toHaveLength(KEYS);
    expect(entries.every((entry) => entry.value === ROUNDS)).toBe(true);
    expect(p.stats().stateEntries).toBe(KEYS);
  }, 60_000);

  it('counts shuffled events as in-order ones within maxOutOfOrderMs, and only later ones as late', async () => {
    const SENSORS = 50;
    const EVENTS = 20_000;
    const OUT_OF_ORDER_MS = 2_000;
    // Event i happens at T0 + 10 i ms; arrival order is shuffled within blocks of 100 events
    // (1 s of event time, so no event is more than 1 s out of order), and every 500th event
    // arrives 30 s late.
    const inOrder = Array.from({ length: EVENTS }, (_, i) => reading(i, `s${i % SENSORS}`, T0 + i * 10));
    let seed = 42;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const shuffled: BusEvent[] = [];
    const lateOnes: BusEvent[] = [];
    for (let block = 0; block < EVENTS; block += 100) {
      const part = inOrder.slice(block, block + 100);
      for (let i = part.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [part[i], part[j]] = [part[j]!, part[i]!];
      }
      for (const event of part) {
        if (Number(event.id.slice(2)) % 500 === 499) lateOnes.push(event);
        else shuffled.push(event);
      }
      // The late ones of 30 s of event time ago arrive now.
      while (lateOnes.length > 0 && Date.parse(lateOnes[0]!.time!) < T0 + block * 10 - 30_000) {
        shuffled.push(lateOnes.shift()!);
      }
    }
    // Far ahead in event time: closes every window; the last late ones come after it.
    shuffled.push(reading(EVENTS, 'closer', T0 + 3_600_000), ...lateOnes);

    const run = async (events: readonly BusEvent[]) => {
      const { bus, published, feed } = directBus<Record<string, Reading>>();
      const p = pipeline(bus, { name: 'shuffled', batchSize: 1_000 });
      const windowed = p
        .from('reading')
        .keyBy((event) => event.data.sensor)
        .window(tumbling({ sizeMs: 5_000 }), {
          aggregate: count(),
          maxOutOfOrderMs: OUT_OF_ORDER_MS,
          name: 'per-5s',
        });
      windowed.to('result');
      windowed.late.map((event) => event.id).to('late');
      await p.start();
      for (let from = 0; from < events.length; from += 1_000) await feed(events.slice(from, from + 1_000));
      await p.stop();
      const results = new Map<string, number>();
      for (const output of published.filter((o) => o.type === 'result')) {
        const result = output.data as WindowResult<number>;
        results.set(`${result.key}|${result.start}`, result.value);
      }
      const late = published.filter((o) => o.type === 'late').map((o) => o.data as string);
      return { results, late };
    };

    const lateIds = inOrder.filter((_, i) => i % 500 === 499).map((event) => event.id);
    const onTime = new Set(inOrder.map((event) => event.id).filter((id) => !lateIds.includes(id)));
    const reference = await run([
      ...inOrder.filter((event) => onTime.has(event.id)),
      reading(EVENTS, 'closer', T0 + 3_600_000),
    ]);
    const got = await run(shuffled);
    expect(got.late.sort()).toEqual([...lateIds].sort());
    expect(got.results).toEqual(reference.results);
    expect([...got.results.values()].reduce((a, b) => a + b, 0)).toBe(EVENTS - lateIds.length);
  }, 60_000);
});
