import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type CloudEvent } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import { startOutboxRelay } from '@eddy/core/outbox';
import { waitFor } from '@eddy/conformance';
import { createSqliteOutbox, createSqliteTransport } from '@eddy/sqlite';
import { tempDir, unique } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

function appDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, total INTEGER NOT NULL)');
  return db;
}

describe('SQLite outbox', () => {
  it('commits events with the state and drops them with a rollback', async () => {
    const path = tmp.file(`${unique('app')}.db`);
    const db = appDatabase(path);
    const outbox = createSqliteOutbox({ database: path });
    const event = (id: string) => ({
      topic: 'orders',
      event: { source: 'shop', type: 'order.placed', partitionkey: id, data: { id } },
    });
    let written: CloudEvent[] = [];
    db.transaction(() => {
      db.prepare('INSERT INTO orders VALUES (?, ?)').run('o-1', 10);
      written = outbox.add(db, [event('o-1')]);
    })();
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO orders VALUES (?, ?)').run('o-2', 20);
        outbox.add(db, [event('o-2')]);
        throw new Error('payment declined');
      })(),
    ).toThrow('payment declined');
    expect(() => outbox.add(db, [event('o-3')])).toThrow(/must run inside the transaction/);
    expect(await outbox.stats()).toEqual({
      pending: 1,
      oldestPendingAt: expect.any(Number) as number,
      failed: 0,
    });
    const claim = await outbox.claimLanes({ owner: 'r', leaseMs: 5_000 });
    const lane = claim.lanes;
    const rows = (await Promise.all(lane.map((l) => outbox.fetchPending(l, 10)))).flat();
    expect(rows.map((row) => decodeCloudEvent(row).id)).toEqual([written[0]!.id]);
    expect(rows[0]?.key).toBe('o-1');
    await outbox.close();
    db.close();
  });

  it('upgrades an outbox table of an earlier version in place: pending rows stay, failed rows work', async () => {
    const path = tmp.file(`${unique('app')}.db`);
    const old = new Database(path);
    // The table as the first release created it, with one row still pending.
    old.exec(`
      CREATE TABLE eddy_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, lane INTEGER NOT NULL, topic TEXT NOT NULL, key TEXT,
        event_id TEXT NOT NULL, headers TEXT NOT NULL, payload BLOB NOT NULL, traceparent TEXT,
        tracestate TEXT, created_at INTEGER NOT NULL, published_at INTEGER);
      CREATE INDEX eddy_outbox_pending ON eddy_outbox (lane, id) WHERE published_at IS NULL;
      CREATE TABLE eddy_outbox_lanes (lane INTEGER PRIMARY KEY, owner TEXT, expires_at INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE eddy_outbox_relays (owner TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO eddy_outbox_lanes (lane) VALUES (0);`);
    old
      .prepare(
        `INSERT INTO eddy_outbox (lane, topic, key, event_id, headers, payload, created_at)
         VALUES (0, 'orders', 'k', 'e-1', '{}', x'7b7d', 1)`,
      )
      .run();
    // Two stores open the old file at once, as two processes starting together would.
    const outbox = createSqliteOutbox({ database: path, lanes: 1 });
    const again = createSqliteOutbox({ database: path, lanes: 1 });
    const columns = old
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('eddy_outbox')`)
      .all();
    expect(columns.map((column) => column.name)).toEqual(expect.arrayContaining(['failed_at', 'error']));
    const indexes = old
      .prepare<[], { name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'eddy_outbox'`,
      )
      .all()
      .map((index) => index.name);
    expect(indexes).toEqual(expect.arrayContaining(['eddy_outbox_ready', 'eddy_outbox_failed']));
    expect(indexes).not.toContain('eddy_outbox_pending');
    const plan = old
      .prepare<[], { detail: string }>(
        `EXPLAIN QUERY PLAN SELECT id FROM eddy_outbox
         WHERE lane = 0 AND published_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 10`,
      )
      .all();
    expect(plan.map((step) => step.detail).join('; ')).toMatch(/eddy_outbox_ready/);

    expect(await outbox.stats()).toEqual({ pending: 1, oldestPendingAt: 1, failed: 0 });
    await outbox.claimLanes({ owner: 'r', leaseMs: 60_000 });
    const [row] = await outbox.fetchPending(0, 10);
    expect(row?.key).toBe('k');
    expect(await outbox.markFailed({ owner: 'r', lane: 0, id: row!.id, error: 'bad' })).toBe(true);
    expect(await again.failedRows()).toMatchObject([{ id: row!.id, error: 'bad' }]);
    await outbox.close();
    await again.close();
    old.close();
  });

  it('adds the attempts column to an outbox that already set rows aside; those rows read without it', async () => {
    const path = tmp.file(`${unique('app')}.db`);
    const old = new Database(path);
    // The table as a release with failed rows but no attempts created it, one row already set aside.
    old.exec(`
      CREATE TABLE eddy_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, lane INTEGER NOT NULL, topic TEXT NOT NULL, key TEXT,
        event_id TEXT NOT NULL, headers TEXT NOT NULL, payload BLOB NOT NULL, traceparent TEXT,
        tracestate TEXT, created_at INTEGER NOT NULL, published_at INTEGER, failed_at INTEGER, error TEXT);
      CREATE TABLE eddy_outbox_lanes (lane INTEGER PRIMARY KEY, owner TEXT, expires_at INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE eddy_outbox_relays (owner TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO eddy_outbox_lanes (lane) VALUES (0);
      INSERT INTO eddy_outbox (lane, topic, key, event_id, headers, payload, created_at, failed_at, error)
        VALUES (0, 'orders', 'k', 'e-1', '{}', x'7b7d', 1, 2, 'old'),
               (0, 'orders', 'k', 'e-2', '{}', x'7b7d', 1, NULL, NULL);`);
    const outbox = createSqliteOutbox({ database: path, lanes: 1 });
    const columns = old
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('eddy_outbox')`)
      .all();
    expect(columns.map((column) => column.name)).toContain('attempts');
    const [before] = await outbox.failedRows();
    expect(before).toMatchObject({ error: 'old', failedAt: 2 });
    expect(before?.attempts).toBeUndefined();

    await outbox.claimLanes({ owner: 'r', leaseMs: 60_000 });
    const [row] = await outbox.fetchPending(0, 10);
    expect(await outbox.markFailed({ owner: 'r', lane: 0, id: row!.id, error: 'new', attempts: 4 })).toBe(
      true,
    );
    expect((await outbox.failedRows()).map((failed) => failed.attempts)).toEqual([undefined, 4]);
    expect(await outbox.discardFailed([before!.id])).toBe(1);
    expect(await outbox.stats()).toMatchObject({ pending: 0, failed: 1 });
    await outbox.close();
    // Opening again changes nothing more.
    const reopened = createSqliteOutbox({ database: path, lanes: 1 });
    expect(await reopened.failedRows()).toMatchObject([{ id: row!.id, attempts: 4 }]);
    await reopened.close();
    old.close();
  });

  it('rejects a lane count that differs from the one the outbox was created with', async () => {
    const path = tmp.file(`${unique('app')}.db`);
    const outbox = createSqliteOutbox({ database: path, lanes: 4 });
    expect(() => createSqliteOutbox({ database: path, lanes: 8 })).toThrow(/created with 4 lanes/);
    await outbox.close();
  });

  it('splits lanes between relays on separate connections and publishes in key order', async () => {
    const path = tmp.file(`${unique('app')}.db`);
    const db = appDatabase(path);
    const writer = createSqliteOutbox({ database: db, lanes: 6 });
    const stores = [1, 2].map(() => createSqliteOutbox({ database: path, lanes: 6 }));
    const transport = createSqliteTransport({ path: tmp.file(`${unique('broker')}.db`) });
    const topic = unique('orders');
    const relays = stores.map((store) =>
      startOutboxRelay({ store, transport, leaseMs: 600, pollIntervalMs: 20 }),
    );
    await waitFor(() => relays.every((relay) => relay.heldLanes().length === 3), {
      description: () => `3 lanes each, got ${relays.map((relay) => relay.heldLanes().length).join('/')}`,
    });
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (let seq = 1; seq <= 40; seq++) {
      db.transaction(() =>
        writer.add(
          db,
          keys.map((key) => ({
            topic,
            event: { source: 's', type: 't', partitionkey: key, data: { key, seq } },
          })),
        ),
      )();
    }
    const seen: { key: string; seq: number }[] = [];
    const subscription = await transport.subscribe(topic, { group: 'audit', from: 'earliest' }, (message) => {
      seen.push(decodeCloudEvent(message).data as { key: string; seq: number });
    });
    await waitFor(() => seen.length >= 400, { description: () => `400 events, got ${seen.length}` });
    for (const key of keys) {
      expect(seen.filter((entry) => entry.key === key).map((entry) => entry.seq)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    }
    await waitFor(async () => (await writer.stats()).pending === 0);
    await relays[0]!.stop();
    await waitFor(() => relays[1]!.heldLanes().length === 6, {
      description: 'the other relay takes every lane',
    });
    expect(await writer.purgePublished(Date.now() + 1)).toBe(400);
    await relays[1]!.stop();
    await subscription.close();
    await transport.close();
    for (const store of stores) await store.close();
    db.close();
  });
});
