import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus, type ReceivedMessage } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { checkDeliveries, KillableChild, killAtRandom, waitFor, type SeenEvent } from '@eddy/conformance';
import { createSqliteOutbox, createSqliteTransactionalInbox, createSqliteTransport } from '@eddy/sqlite';
import { tempDir, unique } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const tmp = tempDir();
const children: KillableChild[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  tmp.remove();
});

function seenOf(message: ReceivedMessage): SeenEvent {
  const event = decodeCloudEvent(message);
  const data = event.data as { key: string; seq: number; doomed: boolean };
  return { id: event.id, key: data.key, seq: data.seq, doomed: data.doomed };
}

describe('SQLite outbox under SIGKILL', () => {
  it('publishes every committed event, never a rolled-back one, in key order; the inbox applies each once', async () => {
    const appPath = tmp.file('app.db');
    const brokerPath = tmp.file('broker.db');
    const topic = unique('orders');
    const writer = new KillableChild(fixture('outbox-writer.ts'), [appPath, topic, '12']);
    children.push(writer);
    writer.start();
    await writer.waitReady();
    const relays = [1, 2].map(() => new KillableChild(fixture('outbox-relay.ts'), [appPath, brokerPath]));
    children.push(...relays);
    for (const relay of relays) relay.start();

    // The consumer: stock reservations applied through a transactional inbox on its own database.
    const consumerDb = new Database(tmp.file('consumer.db'));
    consumerDb.pragma('journal_mode = WAL');
    consumerDb.exec('CREATE TABLE effects (event_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL)');
    const applyEffect = consumerDb.prepare<[string, string, number]>(
      'INSERT INTO effects (event_id, key, seq) VALUES (?, ?, ?)',
    );
    const inbox = createSqliteTransactionalInbox({ database: consumerDb });
    let absorbed = 0;
    const bus = createBus<{ 'order.placed': { key: string; seq: number } }>({
      transport: createSqliteTransport({ path: brokerPath }),
      topicFor: () => topic,
    });
    bus.on(
      'order.placed',
      inbox.handler((event, _ctx, db) => {
        void db;
        applyEffect.run(event.id, event.data.key, event.data.seq);
      }),
      {
        from: 'earliest',
        middleware: [
          (next) => async (event, ctx) => {
            await next(event, ctx);
            if (ctx.outcome.duplicate) absorbed += 1;
          },
        ],
      },
    );
    await bus.start();

    const kills = await killAtRandom([writer, ...relays], 22_000, 5);
    await writer.kill();
    expect(kills).toBeGreaterThanOrEqual(5);

    const app = new Database(appPath, { readonly: true });
    const committed = new Map(
      app
        .prepare<[], { event_id: string; key: string; seq: number }>('SELECT event_id, key, seq FROM orders')
        .all()
        .map((row) => [row.event_id, { key: row.key, seq: row.seq }]),
    );
    app.close();
    expect(committed.size).toBeGreaterThan(200);

    const outbox = createSqliteOutbox({ database: appPath, lanes: 8 });
    await waitFor(async () => (await outbox.stats()).pending === 0, {
      timeoutMs: 30_000,
      description: 'the relays to drain the outbox',
    });
    await outbox.close();

    const reader = createSqliteTransport({ path: brokerPath });
    const published: SeenEvent[] = [];
    const raw: ReceivedMessage[] = [];
    const subscription = await reader.subscribe(
      topic,
      { group: unique('audit'), from: 'earliest', maxInFlight: 1 },
      (m) => {
        raw.push(m);
        published.push(seenOf(m));
      },
    );
    await waitFor(() => new Set(published.map((event) => event.id)).size >= committed.size, {
      timeoutMs: 30_000,
      description: () => `${committed.size} published events, got ${published.length}`,
    });
    await subscription.close();
    const report = checkDeliveries(committed, published);
    expect({ ...report, duplicates: 0 }).toEqual({
      missing: 0,
      unknown: 0,
      doomed: 0,
      outOfOrder: 0,
      duplicates: 0,
    });
    // Relay kills may or may not have republished something; publish the first events again, as a
    // relay that died between publish and mark-sent would, so the inbox has duplicates to absorb.
    const injected = raw.slice(0, 20);
    await reader.publish(
      topic,
      injected.map((message) => ({
        payload: message.payload,
        headers: message.headers,
        ...(message.key === undefined ? {} : { key: message.key }),
      })),
    );
    await reader.close();

    const countEffects = consumerDb.prepare<[], { n: number }>('SELECT count(*) AS n FROM effects');
    await waitFor(() => countEffects.get()!.n >= committed.size, {
      timeoutMs: 30_000,
      description: () => `${committed.size} effects, got ${countEffects.get()!.n}`,
    });
    await waitFor(() => absorbed >= report.duplicates + injected.length, {
      timeoutMs: 30_000,
      description: () => `${report.duplicates + injected.length} duplicates absorbed, got ${absorbed}`,
    });
    await bus.stop();
    for (const relay of relays) await relay.kill();
    const effects = consumerDb
      .prepare<[], { event_id: string; key: string; seq: number }>(
        'SELECT event_id, key, seq FROM effects ORDER BY rowid',
      )
      .all()
      .map((row) => ({ id: row.event_id, key: row.key, seq: row.seq, doomed: false }));
    consumerDb.close();
    // Exactly once: every committed event applied, none twice, in key order.
    expect(checkDeliveries(committed, effects)).toEqual({
      missing: 0,
      unknown: 0,
      doomed: 0,
      outOfOrder: 0,
      duplicates: 0,
    });
  }, 240_000);
});
