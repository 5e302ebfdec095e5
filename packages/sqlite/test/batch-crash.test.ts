import { createBus } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { createSqliteTransport } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { idsOf, startChild, waitForReady, type Child } from './child-process.js';
import { tempDir, unique, waitFor } from './helpers.js';

const tmp = tempDir();
/** Closes of the transports that read the dead-letter queue: awaited before the files are removed. */
const closing: Promise<void>[] = [];
afterAll(async () => {
  await Promise.allSettled(closing);
  tmp.remove();
});

const JOBS = 600;
/** The child's `maxSize`; its bus keeps twice that many events in flight. */
const BATCH_SIZE = 20;
/** Every tenth job is refused by the handler on each attempt: it must end in the DLQ, alone. */
const isPoison = (n: number): boolean => n % 10 === 0;

/** `ok <id>` / `fail <id>` lines of a child, split. */
function outcomes(children: readonly Child[]): { ok: string[]; failed: string[] } {
  const lines = children.flatMap(idsOf);
  return {
    ok: lines.filter((line) => line.startsWith('ok ')).map((line) => line.slice(3)),
    failed: lines.filter((line) => line.startsWith('fail ')).map((line) => line.slice(5)),
  };
}

/** Ids of the events stored on a topic (the dead-letter queue here). */
function storedIds(path: string, topic: string): string[] {
  const transport = createSqliteTransport({ path });
  try {
    const info = transport.admin.listTopics().find((candidate) => candidate.name === topic);
    const ids: string[] = [];
    for (const partition of info?.partitionInfo ?? []) {
      if (partition.firstOffset === undefined) continue;
      const page = transport.admin.readMessages(topic, {
        partition: partition.partition,
        fromOffset: partition.firstOffset,
        limit: 10_000,
      });
      for (const message of page) ids.push(decodeCloudEvent(message).id);
    }
    return ids;
  } finally {
    closing.push(transport.close());
  }
}

describe('batch handler under SIGKILL', () => {
  it('loses no event across kills mid-batch; only the failed events are retried and dead-lettered', async () => {
    const path = tmp.file('batch-crash.db');
    const topic = unique('batch-jobs');
    const publisher = createBus<{ job: { n: number; poison?: boolean } }>({
      transport: createSqliteTransport({ path, partitions: 4 }),
      topicFor: () => topic,
    });
    const poison = new Set<string>();
    const good = new Set<string>();
    for (let n = 0; n < JOBS; n++) {
      const { id } = await publisher.publish('job', isPoison(n) ? { n, poison: true } : { n });
      (isPoison(n) ? poison : good).add(id);
    }
    await publisher.stop();

    const children: Child[] = [];
    // Three children killed while batches are in flight, then one left to drain the rest.
    for (let run = 0; run < 3; run++) {
      const child = startChild('batch-child.ts', [path, topic]);
      children.push(child);
      await waitForReady(child);
      await waitFor(() => idsOf(child).length > 0, 30_000, 'a first batch');
      // Somewhere inside a later batch (each takes about 20 ms).
      const at = Date.now() + 10 + Math.random() * 100;
      await waitFor(() => Date.now() >= at, 1_000, 'the kill moment');
      child.process.kill('SIGKILL');
      await child.exited;
    }
    const last = startChild('batch-child.ts', [path, topic]);
    children.push(last);
    await waitForReady(last);
    // Reading the dead-letter queue opens the file: checked only once every good job was taken.
    let checkedAt = 0;
    await waitFor(
      () => {
        const taken = new Set(outcomes(children).ok);
        if (![...good].every((id) => taken.has(id)) || Date.now() - checkedAt < 200) return false;
        checkedAt = Date.now();
        // Distinct ids: a kill between a dead-lettering and its acknowledgement stores one twice.
        return new Set(storedIds(path, `${topic}.dlq`)).size >= poison.size;
      },
      60_000,
      'every good job taken and every poison job dead-lettered',
    );
    last.process.kill('SIGKILL');
    await last.exited;

    const { ok, failed } = outcomes(children);
    // No event lost: every good one was taken, none of the poison ones ever was.
    expect(new Set(ok)).toEqual(good);
    // Failed events went on alone: each poison event was refused on each of its attempts (the
    // transport counts deliveries, so a kill may use one up unreported), and the dead-letter queue holds
    // exactly the poison events.
    const refusals = new Map<string, number>();
    for (const id of failed) refusals.set(id, (refusals.get(id) ?? 0) + 1);
    expect(new Set(refusals.keys())).toEqual(poison);
    expect(Math.max(...refusals.values())).toBeLessThanOrEqual(2 + 3);
    expect([...refusals.values()].filter((count) => count >= 2).length).toBeGreaterThan(poison.size / 2);
    const dead = storedIds(path, `${topic}.dlq`);
    expect(new Set(dead)).toEqual(poison);
    // At-least-once: a kill between a dead-lettering and the batch's acknowledgement stores those
    // events again on redelivery. So an event stored twice was refused by a child that was then
    // killed, and each kill repeats at most what that child had in flight (twice the batch size).
    const refusedByKilled = new Set(outcomes(children.slice(0, 3)).failed);
    const stored = new Map<string, number>();
    for (const id of dead) stored.set(id, (stored.get(id) ?? 0) + 1);
    const repeated = [...stored].filter(([, count]) => count > 1).map(([id]) => id);
    expect(repeated.filter((id) => !refusedByKilled.has(id))).toEqual([]);
    expect(Math.max(...stored.values())).toBeLessThanOrEqual(1 + 3);
    expect(dead.length - poison.size).toBeLessThanOrEqual(3 * 2 * BATCH_SIZE);
    // Redelivery after a kill repeats only what was in flight, not the whole backlog.
    expect(ok.length).toBeLessThan(good.size + 3 * 100);
  }, 180_000);
});
