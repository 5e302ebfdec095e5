import type { Bus } from '@eddy/core';
import { count, pipeline, tumbling } from '@eddy/streams';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBus, T0, waitFor } from './helpers.js';

interface Events {
  reading: { sensor: string };
}

let bus: Bus<Events> | undefined;
afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

describe('pipeline status', () => {
  it('reports per-stage entries, watermark and late values, and the groups it reads', async () => {
    bus = memoryBus<Events>();
    const p = pipeline(bus, { name: 'status' });
    expect(p.status()).toMatchObject({ name: 'status', running: false, stages: [], sources: [] });
    p.from('reading')
      .keyBy((event) => event.data.sensor)
      .window(tumbling({ sizeMs: 1_000 }), { aggregate: count(), name: 'per-second' });
    await p.start();
    await bus.start();
    const at = (second: number) => ({ time: new Date(T0 + second * 1_000) });
    await bus.publish('reading', { sensor: 'a' }, at(0));
    await bus.publish('reading', { sensor: 'b' }, at(0.5));
    await bus.publish('reading', { sensor: 'a' }, at(5));
    await bus.publish('reading', { sensor: 'a' }, at(1)); // its window closed at the watermark 5 s
    await waitFor(() => p.stats().processed === 4, 'four readings');
    const status = p.status();
    expect(status.running).toBe(true);
    expect(status.stats).toMatchObject({ processed: 4, late: 1 });
    expect(status.stages).toEqual([{ name: 'per-second', entries: 2, watermark: T0 + 5_000, late: 1 }]);
    expect(status.sources).toEqual([{ type: 'reading', topic: 'reading', group: 'test.status.reading' }]);
    await p.stop();
    expect(p.status().running).toBe(false);
  });
});
