import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteInboxStore, createSqliteTransactionalInbox, openInboxDatabase } from '@eddy/sqlite';
import { tempDir } from './helpers.js';

/** What `fn` throws, so a test can assert the error's code. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('sqlite inbox store', () => {
  it('claims, completes, expires and purges, shared by two stores on one file', async () => {
    let now = 5_000_000;
    const path = tmp.file('inbox-store.db');
    const a = createSqliteInboxStore({ database: path, now: () => now });
    const b = createSqliteInboxStore({ database: path, now: () => now });
    expect(await a.claim('h', 'e1', { leaseMs: 100 })).toBe('acquired');
    // Another process sees the live lease.
    expect(await b.claim('h', 'e1', { leaseMs: 100 })).toBe('busy');
    expect(await b.claim('other', 'e1', { leaseMs: 100 })).toBe('acquired');
    await a.complete('h', 'e1', { ttlMs: 1_000 });
    expect(await b.claim('h', 'e1', { leaseMs: 100 })).toBe('processed');
    now += 200;
    // The other handler's claimer "crashed": its lease expired, so the event is claimable again.
    expect(await a.claim('other', 'e1', { leaseMs: 100 })).toBe('acquired');
    await a.release('other', 'e1');
    expect(await b.claim('other', 'e1', { leaseMs: 100 })).toBe('acquired');
    now += 1_000;
    expect(await b.claim('h', 'e1', { leaseMs: 100 })).toBe('acquired');
    now += 1_000;
    expect(await a.purgeExpired()).toBe(2);
    await a.close();
    await b.close();
    await expect(a.claim('h', 'e2', { leaseMs: 1 })).rejects.toMatchObject({ code: 'EDDY_CLOSED' });
  });

  it('survives reopening the file', async () => {
    const path = tmp.file('inbox-reopen.db');
    const first = createSqliteInboxStore({ database: path });
    expect(await first.claim('h', 'e', { leaseMs: 1_000 })).toBe('acquired');
    await first.complete('h', 'e', { ttlMs: 60_000 });
    await first.close();
    const second = createSqliteInboxStore({ database: path });
    expect(await second.claim('h', 'e', { leaseMs: 1_000 })).toBe('processed');
    await second.close();
  });

  it('leaves a database it was given open and rejects bad table names', async () => {
    const db = openInboxDatabase(tmp.file('inbox-shared.db'));
    const store = createSqliteInboxStore({ database: db, table: 'my_inbox' });
    await store.close();
    expect(db.open).toBe(true);
    expect(thrown(() => createSqliteInboxStore({ database: db, table: 'bad name' }))).toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    db.close();
  });
});

describe('sqlite transactional inbox', () => {
  const event = (id: string) => ({
    specversion: '1.0' as const,
    id,
    source: '/test',
    type: 'payment.captured',
    data: { amount: 3 },
  });
  const ctx = (handlerName: string) => ({
    signal: new AbortController().signal,
    deliveryCount: 1,
    message: {
      topic: 't',
      partition: 0,
      offset: '0',
      key: undefined,
      headers: {},
      payload: new Uint8Array(),
      publishedAt: 0,
      deliveryCount: 1,
    },
    handlerName,
    group: `g.${handlerName}`,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    outcome: { error: undefined, failed: false, duplicate: false, deadLettered: false },
    ack: () => undefined,
    nack: () => undefined,
    extendLease: () => Promise.resolve(),
    progress: () => undefined,
  });

  it('commits the handler writes with the processed mark, or neither', async () => {
    const db = new Database(tmp.file('tx-unit.db'));
    db.exec('CREATE TABLE ledger (event_id TEXT, amount INTEGER)');
    const inbox = createSqliteTransactionalInbox({ database: db });
    let failNext = true;
    const handle = inbox.handler<ReturnType<typeof event>>((e, _ctx, tx) => {
      tx.prepare('INSERT INTO ledger VALUES (?, ?)').run(e.id, e.data.amount);
      if (failNext) {
        failNext = false;
        throw new Error('crash after the write, inside the transaction');
      }
    });
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;
    expect(() => handle(event('e1'), ctx('ledger'))).toThrow('crash after the write');
    expect(count()).toBe(0);
    const first = ctx('ledger');
    await handle(event('e1'), first);
    expect(first.outcome.duplicate).toBe(false);
    const again = ctx('ledger');
    await handle(event('e1'), again);
    expect(again.outcome.duplicate).toBe(true);
    expect(count()).toBe(1);
    // Per handler: another handler name processes the same id.
    await handle(event('e1'), ctx('audit'));
    expect(count()).toBe(2);
    expect(
      thrown(() => inbox.handler(() => Promise.resolve() as unknown as void)(event('e2'), ctx('ledger'))),
    ).toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    db.close();
  });
});
