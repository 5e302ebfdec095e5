import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { startOutboxRelay } from '@eddy/core/outbox';
import { waitFor } from '@eddy/conformance';
import { createRedisTransport } from '@eddy/redis';
import { createSqliteOutbox } from '@eddy/sqlite';
import { tempDir, unique } from './helpers.js';

const tmp = tempDir();
let server: ChildProcess | undefined;
afterAll(async () => {
  await stopRedis();
  tmp.remove();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A private redis-server (append-only file in the temp dir), so stopping it disturbs no other test. */
async function startRedis(port: number): Promise<void> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      tmp.dir,
      '--save',
      '',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  server = child;
  await waitFor(() => output.includes('Ready to accept connections'), {
    description: 'redis-server to start',
  });
}

async function stopRedis(): Promise<void> {
  const child = server;
  server = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('outbox relay while the broker is down', () => {
  it('keeps committing, retries on its own, and publishes everything in key order after 10 s of outage', async () => {
    const port = await freePort();
    await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const path = tmp.file('app.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    const writer = createSqliteOutbox({ database: db });
    const store = createSqliteOutbox({ database: path });
    const transport = await createRedisTransport({ url, onError: () => undefined, reconnectMaxDelayMs: 500 });
    const relay = startOutboxRelay({
      store,
      transport,
      pollIntervalMs: 50,
      leaseMs: 6_000,
      retry: { baseDelayMs: 100, maxDelayMs: 1_000 },
    });
    const topic = unique('orders');
    const ids = new Map<string, { key: string; seq: number }>();
    let seq = 0;
    const write = (): void => {
      seq++;
      db.transaction(() => {
        for (const key of ['a', 'b', 'c']) {
          const [event] = writer.add(db, [
            { topic, event: { source: 'shop', type: 'order.placed', partitionkey: key, data: { key, seq } } },
          ]);
          ids.set(event!.id, { key, seq });
        }
      })();
    };
    const writing = setInterval(write, 20);
    try {
      await waitFor(async () => (await store.stats()).pending === 0 && seq > 20, {
        description: 'a first batch out',
      });
      await stopRedis();
      const downAt = Date.now();
      // The outage itself is the scenario: the broker stays away for 10 s while orders keep coming.
      await waitFor(() => Date.now() - downAt >= 10_000, { timeoutMs: 15_000, intervalMs: 100 });
      const during = await store.stats();
      expect(during.pending).toBeGreaterThan(100);
      await startRedis(port);
    } finally {
      clearInterval(writing);
    }
    await waitFor(async () => (await store.stats()).pending === 0, {
      timeoutMs: 30_000,
      description: 'the relay to recover and drain the outbox',
    });
    const seen: { id: string; key: string; seq: number }[] = [];
    const subscription = await transport.subscribe(
      topic,
      { group: unique('audit'), from: 'earliest', maxInFlight: 1 },
      (message) => {
        const event = decodeCloudEvent(message);
        seen.push({ id: event.id, ...(event.data as { key: string; seq: number }) });
      },
    );
    await waitFor(() => new Set(seen.map((entry) => entry.id)).size >= ids.size, {
      timeoutMs: 30_000,
      description: () => `${ids.size} events, got ${seen.length}`,
    });
    await subscription.close();
    await relay.stop();
    await transport.close();
    await store.close();
    await writer.close();
    db.close();
    expect([...ids.keys()].filter((id) => !seen.some((entry) => entry.id === id))).toEqual([]);
    for (const key of ['a', 'b', 'c']) {
      const firsts: number[] = [];
      const once = new Set<string>();
      for (const entry of seen) {
        if (entry.key !== key || once.has(entry.id)) continue;
        once.add(entry.id);
        firsts.push(entry.seq);
      }
      expect(firsts).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    }
  }, 90_000);
});
