import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteTransport } from '@eddy/sqlite';
import { idsOf, startChild as start, waitForReady, type Child } from './child-process.js';
import { tempDir, unique, waitFor } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function killAtRandom(child: Child, minMs: number, maxMs: number): Promise<void> {
  await waitForReady(child);
  await waitFor(() => idsOf(child).length > 0, 20_000, 'the child to start working');
  const at = Date.now() + minMs + Math.random() * (maxMs - minMs);
  await waitFor(() => Date.now() >= at, maxMs + 1_000, 'the kill moment');
  child.process.kill('SIGKILL');
  await child.exited;
}

function integrityCheck(path: string): string {
  const db = new Database(path);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('sqlite log shared by processes', () => {
  it('wakes a subscriber in this process for publishes committed by another process', async () => {
    const path = tmp.file('cross-process.db');
    const topic = unique('cross');
    const consumer = createSqliteTransport({ path, partitions: 4, pollIntervalMs: 20 });
    const received = new Set<string>();
    try {
      await consumer.subscribe(topic, { group: 'watcher', from: 'earliest', maxInFlight: 64 }, (message) => {
        received.add(Buffer.from(message.payload).toString());
      });
      const child = start('publisher-child.ts', [path, topic, 'x']);
      await waitForReady(child);
      // Messages arrive while the other process is still publishing, not only after it stops.
      await waitFor(() => received.size >= 200, 20_000, 'messages from the other process');
      child.process.kill('SIGKILL');
      await child.exited;
      const published = idsOf(child);
      await waitFor(() => published.every((id) => received.has(id)), 10_000, 'every reported publish');
      expect(published.length).toBeGreaterThan(0);
    } finally {
      await consumer.close();
    }
  }, 120_000);
});

describe('sqlite log under SIGKILL', () => {
  it('keeps every resolved publish, exactly once, across repeated kills of a publishing process', async () => {
    const path = tmp.file('publish-crash.db');
    const topic = unique('crash-publish');
    const reported: string[] = [];
    for (let run = 0; run < 8; run++) {
      const child = start('publisher-child.ts', [path, topic, String(run)]);
      await killAtRandom(child, 20, 400);
      reported.push(...idsOf(child));
    }
    expect(reported.length).toBeGreaterThan(100);
    expect(integrityCheck(path)).toBe('ok');

    const transport = createSqliteTransport({ path });
    try {
      const counts = new Map<string, number>();
      for (const partition of transport.admin.listTopics().find((t) => t.name === topic)!.partitionInfo) {
        let from = Number(partition.firstOffset);
        for (;;) {
          const page = transport.admin.readMessages(topic, {
            partition: partition.partition,
            fromOffset: from,
            limit: 5_000,
          });
          if (page.length === 0) break;
          for (const message of page) {
            const id = Buffer.from(message.payload).toString();
            counts.set(id, (counts.get(id) ?? 0) + 1);
          }
          from = Number(page[page.length - 1]!.offset) + 1;
        }
      }
      const missing = reported.filter((id) => !counts.has(id));
      expect(missing).toEqual([]);
      const duplicated = [...counts].filter(([, count]) => count > 1);
      expect(duplicated).toEqual([]);
    } finally {
      await transport.close();
    }
  }, 120_000);

  it('handles every message at least once across repeated kills of a consuming process', async () => {
    const path = tmp.file('consume-crash.db');
    const topic = unique('crash-consume');
    const group = 'crash-group';
    const ids = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
    const producer = createSqliteTransport({ path, partitions: 4 });
    for (let i = 0; i < ids.length; i += 2_000) {
      await producer.publish(
        topic,
        ids.slice(i, i + 2_000).map((id, j) => ({ key: `k${(i + j) % 23}`, payload: Buffer.from(id) })),
      );
    }
    await producer.close();

    const handled = new Set<string>();
    let kills = 0;
    for (let run = 0; run <= 5; run++) {
      const child = start('consumer-child.ts', [path, topic, group]);
      if (run < 5) {
        await killAtRandom(child, 50, 600);
        kills += 1;
      } else {
        // The last run is left alone until it has handled everything the killed ones did not.
        await waitForReady(child);
        await waitFor(
          () => {
            const seen = new Set(child.lines);
            return ids.every((id) => handled.has(id) || seen.has(id));
          },
          30_000,
          'every message',
        );
        child.process.kill('SIGKILL');
        await child.exited;
      }
      for (const line of child.lines) if (line !== 'ready') handled.add(line);
    }
    expect(kills).toBe(5);
    expect(ids.filter((id) => !handled.has(id))).toEqual([]);
    expect(integrityCheck(path)).toBe('ok');
  }, 150_000);
});
