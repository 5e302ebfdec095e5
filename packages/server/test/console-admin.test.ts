import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOutboxRelay, type OutboxRelay, type OutboxStore } from '@eddy/core/outbox';
import { createSagaRunner, defineSaga } from '@eddy/core/saga';
import { createMemoryOutboxStore } from '@eddy/core/testing';
import type {
  FailedOutboxListResponse,
  FailedOutboxRowJson,
  FlowEventsResponse,
  FlowResponse,
  SagaInstanceResponse,
  SagaListResponse,
} from '@eddy/server/api';
import { FlowRecorder, generateApiKey, hashApiKey } from '@eddy/server';
import { createSqliteOutbox, createSqliteSagaStore, createSqliteTransport } from '@eddy/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, post, startTestServer, unique, type TestServer } from './helpers.js';

let dir: string;
let server: TestServer;
let bare: TestServer;
const transport = () => createSqliteTransport({ path: join(dir, 'log.db'), maxMessageBytes: 4_096 });
let log: ReturnType<typeof transport>;
let sagaStore: ReturnType<typeof createSqliteSagaStore>;
let outbox: ReturnType<typeof createSqliteOutbox>;
let relay: OutboxRelay | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-console-admin-'));
  log = transport();
  sagaStore = createSqliteSagaStore({ database: join(dir, 'app.db') });
  outbox = createSqliteOutbox({ database: join(dir, 'app.db') });
  server = await startTestServer({ transport: log, sagaStore, outboxStore: outbox });
  bare = await startTestServer({ flow: false });
});

afterAll(async () => {
  await relay?.stop();
  await server?.close();
  await bare?.close();
  await sagaStore?.close();
  await outbox?.close();
  await log?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/sagas', () => {
  it('lists a compensated saga and shows its steps, compensation and history', async () => {
    const name = unique('order');
    const saga = defineSaga<{ n: number }>({
      name,
      retry: { maxAttempts: 1 },
      steps: [
        { name: 'reserve', action: () => ({ reserved: true }), compensate: () => undefined },
        {
          name: 'charge',
          action: () => {
            throw new Error('card declined');
          },
        },
      ],
    });
    const runner = createSagaRunner({ saga, store: sagaStore, pollIntervalMs: 20 });
    await runner.start();
    try {
      await runner.startSaga(`${name}-1`, { n: 1 });
      await runner.startSaga(`${name}-2`, { n: 2 });
      expect((await runner.whenSettled(`${name}-1`)).status).toBe('compensated');
      await runner.whenSettled(`${name}-2`);
    } finally {
      await runner.stop();
    }

    const list = await json<SagaListResponse>(
      await fetch(`${server.url}/v1/sagas?sagaName=${name}&status=compensated&limit=1`),
    );
    expect(list.configured).toBe(true);
    expect(list.instances).toHaveLength(1);
    expect(list.hasMore).toBe(true);
    expect(list.counts.compensated).toBe(2);
    expect(list.instances[0]).toMatchObject({ sagaName: name, kind: 'saga', status: 'compensated' });
    const second = await json<SagaListResponse>(
      await fetch(`${server.url}/v1/sagas?sagaName=${name}&limit=1&offset=1`),
    );
    expect(second.hasMore).toBe(false);
    expect(second.instances[0]!.id).not.toBe(list.instances[0]!.id);

    const detail = await json<SagaInstanceResponse>(await fetch(`${server.url}/v1/sagas/${name}-1`));
    expect(detail.instance.input).toEqual({ n: 1 });
    expect(detail.instance.stepList.map((s) => [s.name, s.status])).toEqual([
      ['reserve', 'compensated'],
      ['charge', 'failed'],
    ]);
    expect(detail.instance.compensations.map((s) => s.name)).toEqual(['reserve']);
    expect(detail.instance.history.map((e) => e.kind)).toContain('step.failed');
    expect(detail.instance.error).toContain('card declined');
  });

  it('shows a process manager with its pending timers', async () => {
    const at = Date.now();
    const id = unique('pm');
    await sagaStore.create({
      id,
      sagaName: 'shipping',
      status: 'running',
      version: 0,
      input: 'o-1',
      context: { packed: true },
      stepIndex: 0,
      steps: [],
      history: [{ at, kind: 'started' }],
      handledEventIds: [],
      timers: [{ name: 'ship-deadline', dueAt: at + 60_000 }],
      dueAt: at + 60_000,
      createdAt: at,
      updatedAt: at,
    });
    const detail = await json<SagaInstanceResponse>(await fetch(`${server.url}/v1/sagas/${id}`));
    expect(detail.instance).toMatchObject({
      kind: 'process-manager',
      pendingTimers: 1,
      state: { packed: true },
    });
    expect(detail.instance.timers).toEqual([
      { name: 'ship-deadline', dueAt: new Date(at + 60_000).toISOString() },
    ]);
  });

  it('refuses bad filters with their code, 404s an unknown id, and says when no store is configured', async () => {
    const bad = await fetch(`${server.url}/v1/sagas?status=lost`);
    expect(bad.status).toBe(400);
    expect((await json<{ error: { code: string } }>(bad)).error.code).toBe('EDDY_INVALID_OPTION');
    const missing = await fetch(`${server.url}/v1/sagas/${unique('nope')}`);
    expect(missing.status).toBe(404);
    expect((await json<{ error: { code: string } }>(missing)).error.code).toBe('EDDY_NOT_FOUND');

    const none = await json<SagaListResponse>(await fetch(`${bare.url}/v1/sagas`));
    expect(none).toMatchObject({ configured: false, instances: [] });
    const detail = await fetch(`${bare.url}/v1/sagas/x`);
    expect(detail.status).toBe(501);
    expect((await json<{ error: { code: string } }>(detail)).error.code).toBe('EDDY_NOT_SUPPORTED');
  });
});

describe('GET /v1/outbox/failed', () => {
  it('lists a row the relay set aside with its attempts, puts it back on retry and discards it', async () => {
    const topic = unique('outbox');
    outbox.database.transaction(() =>
      outbox.add(outbox.database, [
        { topic, event: { source: 't', type: 'big.thing', data: { blob: 'x'.repeat(8_000) } } },
      ]),
    )();
    const setAside = async (): Promise<FailedOutboxRowJson> => {
      // A short lease: the stopped relay's heartbeat counts as a live relay (halving the fair share
      // of lanes of the next one) until it expires.
      relay = startOutboxRelay({ store: outbox, transport: log, pollIntervalMs: 20, leaseMs: 2_000 });
      const listed = await eventually(async () => {
        const page = await json<FailedOutboxListResponse>(await fetch(`${server.url}/v1/outbox/failed`));
        return page.rows.some((row) => row.topic === topic) ? page : undefined;
      });
      await relay.stop();
      relay = undefined;
      expect(listed).toMatchObject({ configured: true, canDiscard: true });
      return listed.rows.find((r) => r.topic === topic)!;
    };
    const row = await setAside();
    // A permanent error sets the row aside at its first attempt.
    expect(row).toMatchObject({ type: 'big.thing', attempts: 1 });
    expect(row.error).toMatch(/^EDDY_MESSAGE_TOO_LARGE: /);

    const retried = await post(`${server.url}/v1/outbox/failed/retry`, { ids: [row.id] });
    expect(await json(retried)).toEqual({ retried: 1 });
    const after = await json<FailedOutboxListResponse>(await fetch(`${server.url}/v1/outbox/failed`));
    expect(after.rows.map((r) => r.id)).not.toContain(row.id);
    expect(after.stats.pending).toBeGreaterThanOrEqual(1);
    // A pending row is not a failed row: discard leaves it alone.
    expect(await json(await post(`${server.url}/v1/outbox/failed/discard`, { ids: [row.id] }))).toEqual({
      discarded: 0,
    });

    const again = await setAside();
    expect(again.id).toBe(row.id);
    const discarded = await post(`${server.url}/v1/outbox/failed/discard`, { ids: [row.id] });
    expect(await json(discarded)).toEqual({ discarded: 1 });
    const gone = await json<FailedOutboxListResponse>(await fetch(`${server.url}/v1/outbox/failed`));
    expect(gone.rows.map((r) => r.id)).not.toContain(row.id);
    const empty = await post(`${server.url}/v1/outbox/failed/retry`, { ids: [] });
    expect((await json<{ error: { code: string } }>(empty)).error.code).toBe('EDDY_INVALID_OPTION');
  });

  it('discards failed rows from the memory store, and answers EDDY_NOT_SUPPORTED for a store that cannot', async () => {
    const store = createMemoryOutboxStore();
    const memoryLog = createSqliteTransport({ path: join(dir, 'memory-outbox.db'), maxMessageBytes: 1_024 });
    const gateway = await startTestServer({ transport: memoryLog, outboxStore: store });
    const memoryRelay = startOutboxRelay({ store, transport: memoryLog, pollIntervalMs: 20 });
    // The same store without the optional method, as a third-party store may be.
    const retryOnly: OutboxStore = { ...store };
    delete retryOnly.discardFailed;
    const limited = await startTestServer({ transport: memoryLog, outboxStore: retryOnly });
    try {
      store.add([{ topic: unique('mem'), event: { source: 't', type: 'big', data: 'y'.repeat(4_000) } }]);
      const page = await eventually(async () => {
        const listed = await json<FailedOutboxListResponse>(await fetch(`${gateway.url}/v1/outbox/failed`));
        return listed.rows.length === 1 ? listed : undefined;
      });
      expect(page.canDiscard).toBe(true);
      expect(page.rows[0]?.attempts).toBe(1);

      const limitedPage = await json<FailedOutboxListResponse>(
        await fetch(`${limited.url}/v1/outbox/failed`),
      );
      expect(limitedPage).toMatchObject({ configured: true, canDiscard: false });
      const refused = await post(`${limited.url}/v1/outbox/failed/discard`, { ids: [page.rows[0]!.id] });
      expect(refused.status).toBe(501);
      expect((await json<{ error: { code: string } }>(refused)).error.code).toBe('EDDY_NOT_SUPPORTED');

      const discarded = await post(`${gateway.url}/v1/outbox/failed/discard`, { ids: [page.rows[0]!.id] });
      expect(await json(discarded)).toEqual({ discarded: 1 });
      expect((await store.stats()).failed).toBe(0);
    } finally {
      await memoryRelay.stop();
      await limited.close();
      await gateway.close();
      await memoryLog.close();
    }
  });

  it('answers configured: false without an outbox store', async () => {
    const none = await json<FailedOutboxListResponse>(await fetch(`${bare.url}/v1/outbox/failed`));
    expect(none).toMatchObject({ configured: false, rows: [] });
  });
});

describe('GET /v1/flow', () => {
  it('links event types by causationid, with counts and recent events', async () => {
    const topic = unique('flow');
    const [a, b, c] = ['placed', 'paid', 'shipped'].map((t) => `${topic}.${t}`) as [string, string, string];
    for (let n = 0; n < 2; n += 1) {
      const first = await json<{ positions: { id: string }[] }>(
        await post(`${server.url}/v1/topics/${topic}/events`, { type: a, data: { n } }),
      );
      const second = await json<{ positions: { id: string }[] }>(
        await post(`${server.url}/v1/topics/${topic}/events`, {
          type: b,
          data: { n },
          extensions: { causationid: first.positions[0]!.id },
        }),
      );
      await post(`${server.url}/v1/topics/${topic}/events`, {
        type: c,
        data: { n },
        extensions: { causationid: second.positions[0]!.id },
      });
    }
    const flow = await json<FlowResponse>(await fetch(`${server.url}/v1/flow`));
    expect(flow.enabled).toBe(true);
    const links = flow.links.filter((link) => link.topic === topic);
    expect(links.map((l) => [l.from, l.to, l.count])).toEqual([
      [a, b, 2],
      [b, c, 2],
    ]);
    expect(flow.types.find((t) => t.type === c)).toMatchObject({ count: 2, topics: [topic] });

    const recent = await json<FlowEventsResponse>(
      await fetch(`${server.url}/v1/flow/events?type=${encodeURIComponent(b)}`),
    );
    expect(recent.events).toHaveLength(2);
    expect(recent.events[0]).toMatchObject({ type: b, topic });
    expect(recent.events[0]!.offset).toMatch(/^\d+$/);
    expect(recent.events[0]!.causationid).toBeDefined();

    const noType = await fetch(`${server.url}/v1/flow/events`);
    expect((await json<{ error: { code: string } }>(noType)).error.code).toBe('EDDY_INVALID_OPTION');
    expect(await json(await fetch(`${bare.url}/v1/flow`))).toMatchObject({ enabled: false, links: [] });
  });

  it('keeps memory bounded: forgets old ids, caps types and links', () => {
    const recorder = new FlowRecorder({ maxTrackedIds: 2, maxTypes: 3, maxLinks: 1, recentEventsPerType: 2 });
    const at = { partition: 0, offset: '0' };
    const event = (id: string, type: string, causationid?: string) => ({
      id,
      type,
      source: 's',
      specversion: '1.0' as const,
      ...(causationid === undefined ? {} : { causationid }),
    });
    recorder.record('t', event('1', 'a'), at);
    recorder.record('t', event('2', 'b', '1'), at);
    recorder.record('t', event('3', 'b'), at);
    recorder.record('t', event('4', 'c', '1'), at); // id 1 was forgotten: no link
    recorder.record('t', event('5', 'c', '3'), at); // second link: over maxLinks
    recorder.record('t', event('6', 'd'), at); // fourth type: over maxTypes
    const snapshot = recorder.snapshot();
    expect(snapshot.links.map((l) => [l.from, l.to, l.count])).toEqual([['a', 'b', 1]]);
    expect(snapshot.types.map((t) => t.type)).toEqual(['a', 'b', 'c']);
    expect(recorder.dropped).toBe(2);
    expect(recorder.recent('b').map((e) => e.id)).toEqual(['3', '2']);
    let refused: unknown;
    try {
      new FlowRecorder({ maxLinks: 0 });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'EDDY_INVALID_OPTION' });
    expect(String(refused)).toMatch(/maxLinks must be a positive integer/);
  });
});

describe('access', () => {
  it('serves the saga, outbox and flow routes to admin keys only', async () => {
    const admin = generateApiKey();
    const publisher = generateApiKey();
    const keyed = await startTestServer({
      apiKeys: [
        { id: 'ops', keyHash: hashApiKey(admin), scopes: ['admin'] },
        { id: 'app', keyHash: hashApiKey(publisher), scopes: ['publish:*'] },
      ],
    });
    try {
      for (const path of ['/v1/sagas', '/v1/outbox/failed', '/v1/flow', '/v1/flow/events?type=x']) {
        const anonymous = await fetch(`${keyed.url}${path}`);
        expect(anonymous.status, path).toBe(401);
        expect((await json<{ error: { code: string } }>(anonymous)).error.code).toBe('EDDY_UNAUTHORIZED');
        const app = await fetch(`${keyed.url}${path}`, { headers: { authorization: `Bearer ${publisher}` } });
        expect(app.status, path).toBe(403);
        expect((await json<{ error: { code: string } }>(app)).error.code).toBe('EDDY_FORBIDDEN');
        const ops = await fetch(`${keyed.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
        expect(ops.status, path).toBe(200);
      }
    } finally {
      await keyed.close();
    }
  });
});
