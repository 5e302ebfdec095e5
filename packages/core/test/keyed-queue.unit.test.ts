import { KeyedQueue, KeyedTasks } from '@eddy/core/internal';
import { describe, expect, it } from 'vitest';

interface Item {
  readonly id: string;
  readonly key?: string;
  live?: boolean;
}

/** A queue whose `start` only records; the test decides when each item is done. */
function recordingQueue(concurrency?: number): { queue: KeyedQueue<Item>; started: string[] } {
  const started: string[] = [];
  const queue = new KeyedQueue<Item>({
    ...(concurrency === undefined ? {} : { concurrency }),
    keyOf: (item) => item.key,
    start: (item) => started.push(item.id),
    isLive: (item) => item.live !== false,
  });
  return { queue, started };
}

describe('KeyedQueue', () => {
  it('runs at most `concurrency` items and starts waiting ones in push order', () => {
    const { queue, started } = recordingQueue(2);
    const items = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
    for (const item of items) queue.push(item);
    expect(started).toEqual(['a', 'b']);
    expect({ running: queue.running, waiting: queue.waiting, hasRoom: queue.hasRoom }).toEqual({
      running: 2,
      waiting: 2,
      hasRoom: false,
    });
    queue.done(items[1]!);
    expect(started).toEqual(['a', 'b', 'c']);
    queue.done(items[0]!);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never runs two items of one key at once and keeps each key in push order', () => {
    const { queue, started } = recordingQueue(10);
    const a1 = { id: 'a1', key: 'a' };
    const a2 = { id: 'a2', key: 'a' };
    const b1 = { id: 'b1', key: 'b' };
    const a3 = { id: 'a3', key: 'a' };
    for (const item of [a1, a2, b1, a3]) queue.push(item);
    expect(started).toEqual(['a1', 'b1']);
    queue.done(a1);
    expect(started).toEqual(['a1', 'b1', 'a2']);
    queue.done(a2);
    queue.done(b1);
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  it('holds a key for an item that waits for a slot, so a later item of that key cannot overtake it', () => {
    const { queue, started } = recordingQueue(1);
    const x = { id: 'x' };
    const a1 = { id: 'a1', key: 'a' };
    const a2 = { id: 'a2', key: 'a' };
    queue.push(x);
    queue.push(a1);
    queue.push(a2);
    queue.done(x);
    expect(started).toEqual(['x', 'a1']);
    queue.done(a1);
    expect(started).toEqual(['x', 'a1', 'a2']);
  });

  it('ignores done for an item that is not running', () => {
    const { queue, started } = recordingQueue(1);
    const a = { id: 'a' };
    const b = { id: 'b' };
    queue.push(a);
    queue.push(b);
    queue.done(b); // still waiting: must not free a's slot
    expect(started).toEqual(['a']);
    queue.done(a);
    queue.done(a);
    expect({ started, running: queue.running }).toEqual({ started: ['a', 'b'], running: 1 });
  });

  it('skips items that are no longer live when their turn comes, passing their key on', () => {
    const { queue, started } = recordingQueue(1);
    const x = { id: 'x' };
    const a1: Item = { id: 'a1', key: 'a' };
    const a2 = { id: 'a2', key: 'a' };
    for (const item of [x, a1, a2]) queue.push(item);
    a1.live = false;
    queue.done(x);
    expect(started).toEqual(['x', 'a2']);
  });

  it('drops waiting items on request and lets the rest of their key go on', () => {
    const { queue, started } = recordingQueue(1);
    const x = { id: 'x' };
    const a1 = { id: 'a1', key: 'a' };
    const a2 = { id: 'a2', key: 'a' };
    const b1 = { id: 'b1', key: 'b' };
    for (const item of [x, a1, a2, b1]) queue.push(item);
    const dropped = queue.drop((item) => item.id === 'a1' || item.id === 'b1');
    expect(dropped.map((item) => item.id).sort()).toEqual(['a1', 'b1']);
    queue.done(x);
    expect(started).toEqual(['x', 'a2']);
    queue.done(a2);
    expect({ running: queue.running, waiting: queue.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it('resolves whenRoom once a slot frees and whenIdle once everything is done', async () => {
    const { queue } = recordingQueue(1);
    const a = { id: 'a' };
    const b = { id: 'b' };
    queue.push(a);
    queue.push(b);
    const events: string[] = [];
    const room = queue.whenRoom().then(() => events.push('room'));
    const idle = queue.whenIdle().then(() => events.push('idle'));
    queue.done(a);
    await Promise.resolve();
    expect(events).toEqual([]); // b took the slot: still no room
    queue.done(b);
    await Promise.all([room, idle]);
    expect(events).toEqual(['room', 'idle']);
  });

  it('wakes whenRoom waiters on request', async () => {
    const { queue } = recordingQueue(1);
    queue.push({ id: 'a' });
    const woken = queue.whenRoom().then(() => 'woken');
    queue.wake();
    expect(await woken).toBe('woken');
  });
});

describe('KeyedTasks', () => {
  it('serialises tasks of one key, settles each with its own result, and runs other keys alongside', async () => {
    const tasks = new KeyedTasks();
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = tasks.run('k', async () => {
      log.push('first:start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      log.push('first:end');
      return 1;
    });
    const second = tasks.run('k', async () => {
      log.push('second');
      return 2;
    });
    const other = tasks.run('other', async () => {
      log.push('other');
      return 3;
    });
    expect(await other).toBe(3);
    expect(log).toEqual(['first:start', 'other']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first:start', 'other', 'first:end', 'second']);
  });

  it('runs at most `concurrency` tasks at once across keys', async () => {
    const tasks = new KeyedTasks(2);
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const all = ['a', 'b', 'c', 'd', undefined].map((key) =>
      tasks.run(key, async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
      }),
    );
    // Release one running task at a time until all five have run.
    for (let released = 0; released < 5; released++) {
      while (releases.length === 0) await new Promise((resolve) => setImmediate(resolve));
      releases.shift()!();
    }
    await Promise.all(all);
    expect(most).toBe(2);
  });

  it('turns a synchronous throw into a rejection and frees the key for the next task', async () => {
    const tasks = new KeyedTasks(1);
    const failed = tasks.run('k', () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    expect(await tasks.run('k', async () => 'after')).toBe('after');
    await tasks.whenIdle();
    expect(tasks.running).toBe(0);
  });
});
