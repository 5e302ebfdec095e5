import type { ReceivedMessage } from '@eddy/core';
import { createSqliteTransport } from '@eddy/sqlite';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogStore } from '../src/log-store.js';
import { watchWrites } from '../src/notifier.js';
import { idsOf, startChild, waitForReady, type Child } from './child-process.js';
import { decode, tempDir, text, unique, waitFor } from './helpers.js';

const dirs: ReturnType<typeof tempDir>[] = [];
const children: Child[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  for (const dir of dirs.splice(0)) dir.remove();
});

function database(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir.file();
}

describe('sqlite subscriber wake-up', () => {
  it("hears another connection's commit through the WAL file, without waiting for a poll", async () => {
    const path = database();
    const transport = createSqliteTransport({ path });
    let heard = 0;
    const unwatch = watchWrites(path, () => {
      heard += 1;
    });
    try {
      const other = new BetterSqlite3(path);
      other.exec('CREATE TABLE IF NOT EXISTS wake_probe (n INTEGER)');
      other.prepare('INSERT INTO wake_probe VALUES (1)').run();
      other.close();
      await waitFor(() => heard > 0, 10_000, 'a write event');
    } finally {
      unwatch();
      await transport.close();
    }
  });

  it("delivers another process's messages with the data_version poll turned far down", async () => {
    const path = database();
    const topic = unique('wake');
    // A poll every 10 minutes: only the WAL watch can wake this subscriber in time.
    const transport = createSqliteTransport({ path, partitions: 4, pollIntervalMs: 600_000 });
    const received: string[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (message) => {
      received.push(decode(message.payload));
    });
    try {
      const child = startChild('publisher-child.ts', [path, topic, 'other']);
      children.push(child);
      await waitForReady(child);
      await waitFor(() => idsOf(child).length > 0, 30_000, 'the child to publish');
      await waitFor(() => received.length > 0, 10_000, 'a message from the other process');
      expect(received[0]).toMatch(/^other-/);
    } finally {
      await subscription.close();
      await transport.close();
    }
  });

  it("reads a partition once per commit of this process, though acknowledgements make it check for other connections' commits", async () => {
    const path = database();
    const topic = unique('own');
    // No poll: the WAL watch and the checks between deliveries are what look for other commits.
    // `normal`: a publish then wakes its subscribers as it commits. With `full` it does so after its
    // flush, and a check that runs during the flush finds the batch first (and reads it).
    const transport = createSqliteTransport({
      path,
      partitions: 1,
      pollIntervalMs: 600_000,
      synchronous: 'normal',
    });
    const received: string[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (message) => {
      received.push(decode(message.payload));
    });
    // Counted from here: joining the group read the (empty) partition once.
    const reads = vi.spyOn(LogStore.prototype, 'read');
    const other = new BetterSqlite3(path);
    const ackFloor = other
      .prepare<[string], number>(
        `SELECT gp.ack_floor FROM eddy_group_partitions gp JOIN eddy_groups g USING (group_id)
         JOIN eddy_topics t USING (topic_id) WHERE t.name = ? AND g.name = 'g'`,
      )
      .pluck();
    try {
      for (let i = 0; i < 10; i += 1) {
        await transport.publish(topic, [{ payload: text(`own-${i}`) }]);
        await waitFor(() => received.length === i + 1, 10_000, `message ${i}`);
        // The acknowledgement commits on the transport's second connection, which changes
        // data_version: the next check finds this process's own batch among the new ones.
        await waitFor(() => ackFloor.get(topic) === i + 1, 10_000, `the acknowledgement of message ${i}`);
      }
      // Another connection's commit, delivered only once a check ran after the last acknowledgement.
      const otherLog = new LogStore(other);
      const payload = text('other');
      other
        .transaction(() =>
          otherLog.appendAll(
            [{ topic: otherLog.ensure(topic, {}, 1, {}), messages: [{ payload }], sizes: [payload.length] }],
            Date.now(),
          ),
        )
        .immediate();
      await waitFor(() => received.includes('other'), 10_000, "the other connection's message");
      const found = reads.mock.results.map((result) =>
        result.type === 'return' ? (result.value as { messages: unknown[] }).messages.length : -1,
      );
      expect(found).toEqual(Array.from({ length: 11 }, () => 1));
    } finally {
      reads.mockRestore();
      other.close();
      await subscription.close();
      await transport.close();
    }
  });

  it("delivers another connection's commit within the turn a run of deliveries is in, not after it", async () => {
    const path = database();
    const low = unique('low');
    const urgent = unique('urgent');
    // No poll: the WAL watch alone would wake the urgent subscriber, and only at the next I/O phase.
    const transport = createSqliteTransport({ path, partitions: 1, pollIntervalMs: 600_000 });
    await transport.publish(
      low,
      Array.from({ length: 40 }, (_, i) => ({ payload: text(String(i)) })),
    );
    // Another writer of the file, committing synchronously from inside a low handler: as another
    // process would, but at a known point of the run.
    const other = new BetterSqlite3(path);
    const otherLog = new LogStore(other);
    const appendUrgent = (name: string): void => {
      const topic = otherLog.ensure(urgent, {}, 1, {});
      const payload = text(name);
      other
        .transaction(() =>
          otherLog.appendAll([{ topic, messages: [{ payload }], sizes: [payload.length] }], Date.now()),
        )
        .immediate();
    };
    // Whether a timer set when the urgent message was committed had run by its delivery.
    const timerRan = new Map<string, boolean>();
    const urgentSeen: { name: string; timerHadRun: boolean }[] = [];
    const urgentSubscription = await transport.subscribe(
      urgent,
      { group: 'g', from: 'earliest' },
      (message) => {
        const name = decode(message.payload);
        urgentSeen.push({ name, timerHadRun: timerRan.get(name) === true });
      },
    );
    let handled = 0;
    const lowSubscription = await transport.subscribe(
      low,
      { group: 'g', from: 'earliest', maxInFlight: 16 },
      async () => {
        // After a microtask, as the bus's handlers run: the slice of the run has started them all
        // and they finish in the promise queue, where no I/O is polled.
        await Promise.resolve();
        handled += 1;
        if (handled === 2) {
          timerRan.set('urgent', false);
          appendUrgent('urgent');
          setTimeout(() => timerRan.set('urgent', true), 0);
        }
        const until = performance.now() + 0.6;
        while (performance.now() < until);
      },
    );
    try {
      await waitFor(() => urgentSeen.length === 1, 10_000, 'the urgent message');
      // Handed out by a commit check between deliveries; the WAL watch would have come after the timer.
      expect(urgentSeen).toEqual([{ name: 'urgent', timerHadRun: false }]);
      await waitFor(() => handled === 40, 10_000, 'the low backlog');
    } finally {
      other.close();
      await lowSubscription.close();
      await urgentSubscription.close();
      await transport.close();
    }
  });

  it('lets timers run while a backlog of quick handlers drains, instead of after it', async () => {
    const path = database();
    const topic = unique('slice');
    const transport = createSqliteTransport({ path, partitions: 1 });
    await transport.publish(
      topic,
      Array.from({ length: 5_000 }, (_, i) => ({ payload: text(String(i)) })),
    );
    let handled = 0;
    let handledWhenTimerRan: number | undefined;
    const subscription = await transport.subscribe(
      topic,
      { group: 'g', from: 'earliest', maxInFlight: 64 },
      (_message: ReceivedMessage) => {
        handled += 1;
        // A timer asked for at the first delivery: it runs at the next turn of the event loop.
        if (handled === 1) setTimeout(() => (handledWhenTimerRan = handled), 0);
        // Each delivery takes at least 0.1 ms, so a turn of a few milliseconds holds at most dozens.
        const until = performance.now() + 0.1;
        while (performance.now() < until);
      },
    );
    try {
      await waitFor(() => handled === 5_000, 60_000, 'the backlog to drain');
      // One turn used to deliver everything read so far (4,000 rows here).
      expect(handledWhenTimerRan).toBeLessThan(1_000);
    } finally {
      await subscription.close();
      await transport.close();
    }
  });
});
