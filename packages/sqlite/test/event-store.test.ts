import type { Database } from 'better-sqlite3';
import { type CloudEvent } from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import {
  startProjection,
  type Projection,
  type RecordedEvent,
  startEventStoreRelay,
} from '@eddy/core/event-sourcing';
import {
  createSqliteCheckpointStore,
  createSqliteEventStore,
  createSqliteTransport,
  openEventStoreDatabase,
  type SqliteInlineProjection,
} from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, unique, waitFor } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const hired = (name: string, role: string) => ({ type: 'Hired', data: { name, role } });
const promoted = (role: string) => ({ type: 'Promoted', data: { role } });

/** An `employees` read model: one row per employee stream, upserted (idempotent on redelivery). */
function employeesTable(db: Database, table: string): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, name TEXT, role TEXT, position INTEGER)`,
  );
}
function applyEmployee(db: Database, table: string, event: RecordedEvent): void {
  const data = event.data as { name?: string; role: string };
  db.prepare(
    `INSERT INTO ${table} (id, name, role, position) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET role = excluded.role, position = excluded.position`,
  ).run(event.streamId, data.name ?? null, data.role, event.globalPosition);
}
const roles = (db: Database, table: string) =>
  db.prepare<[], { id: string; role: string }>(`SELECT id, role FROM ${table} ORDER BY id`).all();

describe('sqlite event store: inline projections', () => {
  it('updates the read model in the append transaction; a failing projection rolls the append back', async () => {
    const db = openEventStoreDatabase(tmp.file(`${unique('inline')}.db`));
    employeesTable(db, 'employees');
    let failOn: string | undefined;
    const projection: SqliteInlineProjection = {
      name: 'employees',
      category: 'employee',
      handle(events, tx) {
        for (const event of events) {
          applyEmployee(tx, 'employees', event);
          if ((event.data as { role: string }).role === failOn) throw new Error(`cannot project ${failOn}`);
        }
      },
    };
    const store = createSqliteEventStore({ database: db, inlineProjections: [projection] });
    try {
      await store.append('employee-1', [hired('john', 'cloud engineer')]);
      await store.append('employee-1', [promoted('backend')], { expectedVersion: 1 });
      await store.append('other-1', [hired('not', 'projected')]);
      expect(roles(db, 'employees')).toEqual([{ id: 'employee-1', role: 'backend' }]);

      failOn = 'manager';
      await expect(store.append('employee-1', [promoted('manager')])).rejects.toMatchObject({
        code: 'EDDY_BACKEND',
        message: expect.stringContaining(
          'Inline projection "employees" failed (cannot project manager)',
        ) as unknown,
      });
      // Neither the event nor the read model row changed: the whole transaction rolled back.
      const read = await store.readStream('employee-1');
      expect(read.currentVersion).toBe(2);
      expect(read.events.map((e) => e.type)).toEqual(['Hired', 'Promoted']);
      expect(roles(db, 'employees')).toEqual([{ id: 'employee-1', role: 'backend' }]);
      expect((await store.readAll({ category: 'employee' })).length).toBe(2);
    } finally {
      await store.close();
      db.close();
    }
  });

  it('does not run again for an idempotent retry', async () => {
    const db = openEventStoreDatabase(tmp.file(`${unique('retry')}.db`));
    const seen: string[] = [];
    const store = createSqliteEventStore({
      database: db,
      inlineProjections: [{ name: 'count', handle: (events) => void seen.push(...events.map((e) => e.id)) }],
    });
    try {
      const batch = [{ id: 'a', ...hired('sahra', 'frontend') }];
      await store.append('employee-2', batch);
      await store.append('employee-2', batch);
      expect(seen).toEqual(['a']);
    } finally {
      await store.close();
      db.close();
    }
  });
});

describe('sqlite event store: async projections', () => {
  it('projects into a table with a SQLite checkpoint, resumes after restart, and rebuilds beside the old version', async () => {
    const db = openEventStoreDatabase(tmp.file(`${unique('async')}.db`));
    const store = createSqliteEventStore({ database: db });
    const checkpoints = createSqliteCheckpointStore({ database: db });
    const projectionInto = (table: string, name: string): Projection => ({
      name,
      category: 'employee',
      handle: (event) => applyEmployee(db, table, event),
    });
    try {
      employeesTable(db, 'employees_v1');
      db.exec('CREATE VIEW employees AS SELECT * FROM employees_v1');
      await store.append('employee-1', [hired('john', 'cloud engineer'), promoted('backend')]);
      await store.append('employee-2', [hired('sahra', 'frontend')]);

      const v1 = startProjection(store, projectionInto('employees_v1', 'employees:v1'), {
        checkpoints,
        pollIntervalMs: 50,
      });
      await v1.whenCaughtUp();
      expect(roles(db, 'employees')).toEqual([
        { id: 'employee-1', role: 'backend' },
        { id: 'employee-2', role: 'frontend' },
      ]);
      await v1.close();
      // Appended while the projection was down: picked up from the durable checkpoint.
      await store.append('employee-2', [promoted('design')]);
      const v1Again = startProjection(store, projectionInto('employees_v1', 'employees:v1'), {
        checkpoints,
        pollIntervalMs: 50,
      });
      await v1Again.whenCaughtUp();
      expect(roles(db, 'employees')).toContainEqual({ id: 'employee-2', role: 'design' });

      // Rebuild without downtime: v2 replays into its own table while v1 keeps serving reads...
      employeesTable(db, 'employees_v2');
      const v2 = startProjection(store, projectionInto('employees_v2', 'employees:v2'), {
        checkpoints,
        pollIntervalMs: 50,
      });
      await store.append('employee-3', [hired('culre', 'data')]);
      await v2.whenCaughtUp();
      await v1Again.whenCaughtUp();
      expect(roles(db, 'employees')).toHaveLength(3);
      // ...then readers switch in one transaction, and v1 stops.
      db.transaction(() => {
        db.exec('DROP VIEW employees');
        db.exec('CREATE VIEW employees AS SELECT * FROM employees_v2');
      }).immediate();
      await v1Again.close();
      expect(roles(db, 'employees')).toEqual(roles(db, 'employees_v2'));
      expect(roles(db, 'employees_v2')).toEqual([
        { id: 'employee-1', role: 'backend' },
        { id: 'employee-2', role: 'design' },
        { id: 'employee-3', role: 'data' },
      ]);
      await v2.close();
      expect(await checkpoints.load('employees:v2')).toBe((await store.readAll()).at(-1)!.globalPosition);
    } finally {
      await store.close();
      db.close();
    }
  });
});

describe('sqlite event store: relay to a transport', () => {
  it('publishes every appended event once per id, in stream order, and resumes from its checkpoint', async () => {
    const db = openEventStoreDatabase(tmp.file(`${unique('relay')}.db`));
    const store = createSqliteEventStore({ database: db });
    const checkpoints = createSqliteCheckpointStore({ database: db });
    const transport = createSqliteTransport({ path: tmp.file(`${unique('bus')}.db`) });
    const topic = unique('hr');
    const received: CloudEvent[] = [];
    try {
      await transport.subscribe(topic, { group: 'audit', from: 'earliest' }, (message) => {
        received.push(decodeCloudEvent(message));
      });
      const relayOptions = { store, checkpoints, transport, topic, source: '/hr', pollIntervalMs: 50 };
      const relay = startEventStoreRelay(relayOptions);
      await store.append('employee-1', [hired('john', 'cloud engineer')], {});
      await store.append('employee-2', [hired('sahra', 'frontend')], {});
      await relay.whenCaughtUp();
      await relay.close();
      // Appended while the relay is down: nothing is lost, it publishes them on restart.
      await store.append('employee-1', [promoted('backend')], {});
      const restarted = startEventStoreRelay(relayOptions);
      await restarted.whenCaughtUp();
      await restarted.close();

      const recorded = await store.readAll();
      await waitFor(() => received.length >= recorded.length, 10_000, 'relayed events');
      expect(received.map((event) => event.id).sort()).toEqual(recorded.map((event) => event.id).sort());
      const john = received.filter((event) => event.subject === 'employee-1');
      expect(john.map((event) => event.type)).toEqual(['Hired', 'Promoted']);
      expect(john[1]).toMatchObject({ source: '/hr', partitionkey: 'employee-1', data: { role: 'backend' } });
      expect(await checkpoints.load(`relay:${topic}`)).toBe(recorded.at(-1)!.globalPosition);
    } finally {
      await transport.close();
      await store.close();
      db.close();
    }
  });

  it('republishes a batch whose checkpoint failed with the same CloudEvent ids, so consumers can dedup', async () => {
    const db = openEventStoreDatabase(tmp.file(`${unique('relay-retry')}.db`));
    const store = createSqliteEventStore({ database: db });
    const durable = createSqliteCheckpointStore({ database: db });
    let failSaves = 1;
    const checkpoints = {
      load: (id: string) => durable.load(id),
      delete: (id: string) => durable.delete(id),
      save: (id: string, position: number) =>
        failSaves-- > 0 ? Promise.reject(new Error('disk full')) : durable.save(id, position),
    };
    const transport = createSqliteTransport({ path: tmp.file(`${unique('bus')}.db`) });
    const topic = unique('hr');
    const received: CloudEvent[] = [];
    const errors: unknown[] = [];
    try {
      await transport.subscribe(topic, { group: 'audit', from: 'earliest' }, (message) => {
        received.push(decodeCloudEvent(message));
      });
      const appended = await store.append('employee-7', [
        hired('john', 'cloud engineer'),
        promoted('backend'),
      ]);
      const relay = startEventStoreRelay({
        store,
        checkpoints,
        transport,
        topic,
        source: '/hr',
        retryDelayMs: 10,
        onError: (error) => errors.push(error),
      });
      await relay.whenCaughtUp();
      await relay.close();
      await waitFor(() => received.length >= 4, 10_000, 'the batch published twice');
      const ids = appended.events.map((event) => event.id);
      expect(received.map((event) => event.id)).toEqual([...ids, ...ids]);
      expect(errors).toHaveLength(1);
      expect(await durable.load(`relay:${topic}`)).toBe(appended.lastGlobalPosition);
    } finally {
      await transport.close();
      await store.close();
      db.close();
    }
  });
});
