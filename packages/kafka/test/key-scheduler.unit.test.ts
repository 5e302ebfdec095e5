import { describe, expect, it } from 'vitest';
import { KeyScheduler } from '../src/key-scheduler.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyScheduler', () => {
  it('runs one task per key at a time, in submission order', async () => {
    const scheduler = new KeyScheduler(8);
    const order: string[] = [];
    const gates = [deferred(), deferred()];
    const first = scheduler.submit('a', async () => {
      order.push('a1 start');
      await gates[0]!.promise;
      order.push('a1 end');
    });
    const second = scheduler.submit('a', async () => {
      order.push('a2');
    });
    const other = scheduler.submit('b', async () => {
      order.push('b1');
    });
    await other;
    expect(order).toEqual(['a1 start', 'b1']);
    gates[0]!.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('never runs more than its concurrency', async () => {
    const scheduler = new KeyScheduler(3);
    let running = 0;
    let peak = 0;
    const gate = deferred();
    const tasks = Array.from({ length: 10 }, (_, i) =>
      scheduler.submit(`k${i}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
      }),
    );
    expect(scheduler.active).toBe(3);
    gate.resolve();
    await Promise.all(tasks);
    expect(peak).toBe(3);
    expect(scheduler.active).toBe(0);
  });

  it('passes a task failure to its caller and keeps the key usable', async () => {
    const scheduler = new KeyScheduler(1);
    await expect(
      scheduler.submit('k', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    let ran = false;
    await scheduler.submit('k', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
