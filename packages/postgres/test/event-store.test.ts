import { type CloudEvent } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import {
  startProjection,
  subscribeToEventStore,
  type RecordedEvent,
  startEventStoreRelay,
} from '@eddy/core/event-sourcing';
import { createMemoryTransport } from '@eddy/core/testing';
import {
  createPostgresCheckpointStore,
  createPostgresEventStore,
  type PostgresEventStore,
  type PostgresInlineProjection,
} from '@eddy/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, randomName, TEST_URL, testSchema, waitFor } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 12 });
const stores: PostgresEventStore[] = [];

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await pool.end();
  await dropSchema(schema);
});

async function store(inlineProjections: PostgresInlineProjection[] = []): Promise<PostgresEventStore> {
  const created = await createPostgresEventStore({ pool, schema, inlineProjections });
  stores.push(created);
  return created;
}

const hired = (name: string, role: string) => ({ type: 'Hired', data: { name, role } });
const promoted = (role: string) => ({ type: 'Promoted', data: { role } });

async function employeesTable(name: string): Promise<string> {
  const table = `"${schema}".${name}`;
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await pool.query(
    `CREATE TABLE ${table} (id text PRIMARY KEY, role text NOT NULL, position bigint NOT NULL)`,
  );
  return table;
}
async function applyEmployee(client: pg.ClientBase, table: string, event: RecordedEvent): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (id, role, position) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET role = excluded.role, position = excluded.position`,
    [event.streamId, (event.data as { role: string }).role, event.globalPosition],
  );
}
async function roles(table: string): Promise<{ id: string; role: string }[]> {
  return (await pool.query<{ id: string; role: string }>(`SELECT id, role FROM ${table} ORDER BY id`)).rows;
}

describe('postgres event store: inline projections', () => {
  it('updates the read model in the append transaction; a failing projection rolls the append back', async () => {
    const table = await employeesTable(randomName('employees'));
    const category = randomName('emp').replace('_', '');
    const s = await store([
      {
        name: 'employees',
        category,
        async handle(events, client) {
          for (const event of events) {
            await applyEmployee(client, table, event);
            if ((event.data as { role: string }).role === 'manager')
              throw new Error('cannot project manager');
          }
        },
      },
    ]);
    const id = `${category}-1`;
    await s.append(id, [hired('john', 'cloud engineer')]);
    await s.append(id, [promoted('backend')], { expectedVersion: 1 });
    expect(await roles(table)).toEqual([{ id, role: 'backend' }]);
    await expect(s.append(id, [promoted('manager')])).rejects.toMatchObject({
      code: 'EDDY_BACKEND',
      message: expect.stringContaining(
        'Inline projection "employees" failed (cannot project manager)',
      ) as unknown,
    });
    const read = await s.readStream(id);
    expect(read.currentVersion).toBe(2);
    expect(read.events.map((e) => e.type)).toEqual(['Hired', 'Promoted']);
    expect(await roles(table)).toEqual([{ id, role: 'backend' }]);
  });
});

describe('postgres event store: global order', () => {
  it('a later append waits for an earlier one to commit, so a live reader never skips a position', async () => {
    const category = randomName('ord').replace('_', '');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    const slow = await store([
      {
        name: 'gate',
        category,
        async handle() {
          holding = true;
          await gate;
        },
      },
    ]);
    const fast = await store();
    const handled: RecordedEvent[] = [];
    const subscription = subscribeToEventStore(fast, {
      subscriptionId: category,
      checkpoints: await createPostgresCheckpointStore({ pool, schema }),
      pollIntervalMs: 20,
      handler: (event) => {
        if (event.streamId.startsWith(`${category}`) || event.streamId.startsWith(`x${category}`))
          handled.push(event);
      },
    });
    try {
      const first = slow.append(`${category}-slow`, [{ type: 'Slow', data: {} }]);
      await waitFor('the first append to hold its transaction', () => holding);
      // The second append (another stream, no projection) queues on the position counter.
      let secondDone = false;
      const second = fast.append(`x${category}-fast`, [{ type: 'Fast', data: {} }]).then((result) => {
        secondDone = true;
        return result;
      });
      await waitFor('the second append to wait on a lock', async () => {
        const waiting = await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`%"${schema}".es_position%`],
        );
        return Number(waiting.rows[0]!.n) > 0;
      });
      expect(secondDone).toBe(false);
      expect(handled).toEqual([]);
      release();
      const [a, b] = await Promise.all([first, second]);
      expect(b.lastGlobalPosition).toBe(a.lastGlobalPosition + 1);
      await subscription.whenCaughtUp();
      expect(handled.map((e) => e.type)).toEqual(['Slow', 'Fast']);
    } finally {
      release();
      await subscription.close();
    }
  });
});

describe('postgres event store: wake-up across processes', () => {
  it('wakes a subscription on another pool at once through LISTEN/NOTIFY', async () => {
    const otherPool = new pg.Pool({ connectionString: TEST_URL, max: 2 });
    const writer = await createPostgresEventStore({ pool: otherPool, schema });
    const reader = await store();
    const category = randomName('wake').replace('_', '');
    const handled: RecordedEvent[] = [];
    // Other stores of this file listen on the same channel: wait for one more listener than now.
    const listeners = async (): Promise<number> => {
      const listening = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE $1 AND state = 'idle'`,
        [`LISTEN "${schema}_es_appended"`],
      );
      return Number(listening.rows[0]!.n);
    };
    const listenersBefore = await listeners();
    const subscription = subscribeToEventStore(reader, {
      subscriptionId: category,
      checkpoints: await createPostgresCheckpointStore({ pool, schema }),
      category,
      // Far beyond the wait below: only a notification can deliver the event in time.
      pollIntervalMs: 60_000,
      handler: (event) => void handled.push(event),
    });
    try {
      await subscription.whenCaughtUp();
      // The LISTEN connection starts with the subscription; LISTEN takes effect once its statement
      // has finished (the session is idle again).
      await waitFor('the LISTEN connection', async () => (await listeners()) > listenersBefore);
      await writer.append(`${category}-1`, [hired('john', 'cloud engineer')]);
      await waitFor('the notified subscription', () => handled.length === 1, 5_000);
      expect(handled[0]!.type).toBe('Hired');
    } finally {
      await subscription.close();
      await writer.close();
      await otherPool.end();
    }
  });
});

describe('postgres event store: async projections and relay', () => {
  it('projects into a table with the checkpoint in the same transaction and rebuilds beside the old version', async () => {
    const s = await store();
    const checkpoints = await createPostgresCheckpointStore({ pool, schema });
    const category = randomName('staff').replace('_', '');
    const projectionInto = (table: string, name: string) => ({
      name,
      category,
      handle: async (event: RecordedEvent) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await applyEmployee(client, table, event);
          await checkpoints.saveIn(client, name, event.globalPosition);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
    });
    const v1Table = await employeesTable(randomName('employees_v1'));
    const view = `"${schema}".${randomName('employees')}`;
    await pool.query(`CREATE VIEW ${view} AS SELECT * FROM ${v1Table}`);
    await s.append(`${category}-1`, [hired('john', 'cloud engineer'), promoted('backend')]);
    await s.append(`${category}-2`, [hired('sahra', 'frontend')]);
    const v1 = startProjection(s, projectionInto(v1Table, `${category}:v1`), {
      checkpoints,
      pollIntervalMs: 50,
    });
    await v1.whenCaughtUp();
    expect(await roles(view)).toEqual([
      { id: `${category}-1`, role: 'backend' },
      { id: `${category}-2`, role: 'frontend' },
    ]);

    const v2Table = await employeesTable(randomName('employees_v2'));
    const v2 = startProjection(s, projectionInto(v2Table, `${category}:v2`), {
      checkpoints,
      pollIntervalMs: 50,
    });
    await s.append(`${category}-2`, [promoted('design')]);
    await v2.whenCaughtUp();
    await v1.whenCaughtUp();
    // Switch readers to v2 atomically, then stop v1.
    await pool.query(`BEGIN; CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${v2Table}; COMMIT`);
    await v1.close();
    await v2.close();
    expect(await roles(view)).toEqual([
      { id: `${category}-1`, role: 'backend' },
      { id: `${category}-2`, role: 'design' },
    ]);
    const last = (await s.readAll({ category })).at(-1)!.globalPosition;
    expect(await checkpoints.load(`${category}:v2`)).toBe(last);
  });

  it('relays appended events to a transport with their ids as CloudEvent ids', async () => {
    const s = await store();
    const checkpoints = await createPostgresCheckpointStore({ pool, schema });
    const transport = createMemoryTransport();
    const category = randomName('hr').replace('_', '');
    const received: CloudEvent[] = [];
    await transport.subscribe('hr', { group: 'audit', from: 'earliest' }, (message) => {
      received.push(decodeCloudEvent(message));
    });
    const relay = startEventStoreRelay({
      store: s,
      checkpoints,
      transport,
      topic: 'hr',
      category,
      relayId: `relay-${category}`,
      source: '/hr',
      pollIntervalMs: 50,
    });
    try {
      const appended = await s.append(`${category}-1`, [
        hired('john', 'cloud engineer'),
        promoted('backend'),
      ]);
      await relay.whenCaughtUp();
      await waitFor('relayed events', () => received.length >= 2);
      expect(received.map((e) => e.id)).toEqual(appended.events.map((e) => e.id));
      expect(received[1]).toMatchObject({ type: 'Promoted', subject: `${category}-1`, source: '/hr' });
    } finally {
      await relay.close();
      await transport.close();
    }
  });
});
