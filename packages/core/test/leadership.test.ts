import { describe, expect, it } from 'vitest';
import {
  Leadership,
  MemoryInstanceChannel,
  MemoryLeaderLease,
  type LeaderLease,
  type SingletonTask,
} from '../src/internal.js';

/** Polls until `check` is true, failing after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function recordingTask(log: string[], name: string): SingletonTask {
  return {
    name,
    start: () => void log.push(`${name} start`),
    stop: () => {
      log.push(`${name} stop`);
      return Promise.resolve();
    },
  };
}

describe('Leadership', () => {
  it('runs the tasks in one holder; the other takes over once the first stops', async () => {
    const lease = new MemoryLeaderLease();
    const log: string[] = [];
    const settings = { lease, name: 'gw', ttlMs: 300, report: () => undefined };
    const a = new Leadership({ ...settings, holder: 'a', tasks: [recordingTask(log, 'a')] });
    const b = new Leadership({ ...settings, holder: 'b', tasks: [recordingTask(log, 'b')] });
    a.start();
    await until(() => a.leading);
    b.start();
    // b renews (and fails) a few times meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(b.leading).toBe(false);
    await a.stop();
    await until(() => b.leading);
    await b.stop();
    expect(log).toEqual(['a start', 'a stop', 'b start', 'b stop']);
  });

  it('steps down when renewals fail, before the lease could expire', async () => {
    const inner = new MemoryLeaderLease();
    let failing = false;
    const lease: LeaderLease = {
      acquire: (name, holder, ttlMs) =>
        failing ? Promise.reject(new Error('backend down')) : inner.acquire(name, holder, ttlMs),
      release: (name, holder) => inner.release(name, holder),
    };
    const log: string[] = [];
    const errors: string[] = [];
    const leader = new Leadership({
      lease,
      name: 'gw',
      holder: 'a',
      ttlMs: 300,
      tasks: [recordingTask(log, 'a')],
      report: (_error, doing) => errors.push(doing),
    });
    leader.start();
    await until(() => leader.leading);
    failing = true;
    const failedAt = Date.now();
    await until(() => !leader.leading);
    // Stepped down within the lease time after its last successful renewal.
    expect(Date.now() - failedAt).toBeLessThan(300);
    expect(log).toEqual(['a start', 'a stop']);
    expect(errors[0]).toBe('renewing the leader lease gw');
    failing = false;
    await until(() => leader.leading);
    await leader.stop();
    expect(log).toEqual(['a start', 'a stop', 'a start', 'a stop']);
  });
});

describe('MemoryInstanceChannel', () => {
  it('answers requests by instance name, and nothing for an instance that is gone', async () => {
    const channel = new MemoryInstanceChannel();
    const a = await channel.join('a', (request) => Promise.resolve(`a got ${request}`));
    const b = await channel.join('b', (request) => Promise.resolve(`b got ${request}`));
    expect(await a.request('b', 'ping', 1_000)).toBe('b got ping');
    expect(await b.request('a', 'pong', 1_000)).toBe('a got pong');
    await b.close();
    expect(await a.request('b', 'ping', 50)).toBeUndefined();
    await a.close();
  });
});
