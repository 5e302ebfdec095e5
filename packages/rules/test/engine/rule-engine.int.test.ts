import { randomBytes } from 'node:crypto';
import type { CloudEvent } from '@eddy/core';
import { parseDeadLetterHeaders } from '@eddy/core/internal';
import { waitFor } from '@eddy/conformance';
import {
  createRuleEngine,
  deliveryId,
  type RuleEngine,
  type RuleHandlerContext,
  type RuleStore,
} from '@eddy/rules';
import { createSqliteRuleStore, createSqliteTransport, type SqliteTransport } from '@eddy/sqlite';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { collect, publishEvents, tempDir, unique, webhookReceiver } from './engine-harness.js';

const tmp = tempDir();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => tmp.remove());

function setup(): {
  transport: SqliteTransport;
  store: RuleStore;
  path: string;
  group: string;
  source: string;
} {
  const path = tmp.file(`${unique('log')}.db`);
  const transport = createSqliteTransport({ path });
  const store = createSqliteRuleStore({ database: tmp.file(`${unique('rules')}.db`) });
  cleanups.push(
    () => store.close(),
    () => transport.close(),
  );
  return { transport, store, path, group: unique('rules'), source: unique('orders') };
}

function started(engine: RuleEngine): RuleEngine {
  cleanups.push(() => engine.stop());
  return engine;
}

type Call = { eventId: string; ok: boolean } & Omit<RuleHandlerContext, 'input'> & { input: unknown };

function recorder(calls: Call[], fail?: () => boolean) {
  return (event: CloudEvent, context: RuleHandlerContext): void => {
    const ok = fail?.() !== true;
    calls.push({ eventId: event.id, ok, ...context });
    if (!ok) throw new Error(`target down for ${event.id}`);
  };
}

const retry = { baseDelayMs: 5, maxDelayMs: 20 };

describe('rule engine on SQLite', () => {
  it('routes each event by content to a topic (transformed), a handler and a signed webhook', async () => {
    const { transport, store, group, source } = setup();
    const hook = await webhookReceiver();
    cleanups.push(hook.close);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const flagged = unique('flagged');
    await store.put({
      name: 'big-orders',
      pattern: { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } },
      targets: [
        {
          id: 'flag',
          kind: 'topic',
          topic: flagged,
          type: 'order.flagged',
          inputTransformer: {
            inputPathsMap: { order: '$.data.orderId' },
            inputTemplate: '{"order": <order>, "rule": <eddy.rule-name>}',
          },
        },
        { id: 'audit', kind: 'handler', handler: 'audit' },
        { id: 'hook', kind: 'webhook', url: hook.url, secret },
      ],
    });
    await store.put({
      name: 'refunds',
      pattern: { type: [{ prefix: 'order.refund' }] },
      targets: [{ id: 'audit', kind: 'handler', handler: 'audit' }],
    });
    const calls: Call[] = [];
    const engine = started(
      createRuleEngine({
        transport,
        store,
        group,
        sources: [source],
        handlers: { audit: recorder(calls) },
        retry,
      }),
    );
    await engine.start();
    const out = await collect(transport, flagged);
    cleanups.push(() => out.subscription.close());

    const [big, , refund] = await publishEvents(transport, source, [
      { type: 'order.placed', data: { orderId: 'o-1', total: 250 }, correlationid: 'corr-1' },
      { type: 'order.placed', data: { orderId: 'o-2', total: 5 } },
      { type: 'order.refunded', data: { orderId: 'o-3' } },
    ]);
    await waitFor(() => out.messages.length >= 1 && calls.length >= 2 && hook.requests.length >= 1, {
      description: 'the three targets',
    });

    const flaggedEvent = out.messages[0]!.event;
    expect(flaggedEvent).toMatchObject({
      id: deliveryId(big!, 'big-orders', 'flag'),
      type: 'order.flagged',
      source: '/eddy/rules/big-orders',
      data: { order: 'o-1', rule: 'big-orders' },
      correlationid: 'corr-1',
      causationid: big!.id,
    });
    expect(
      calls
        .map(({ eventId, rule, target }) => ({ eventId, rule, target }))
        .sort((a, b) => (a.rule < b.rule ? -1 : 1)),
    ).toEqual([
      { eventId: big!.id, rule: 'big-orders', target: 'audit' },
      { eventId: refund!.id, rule: 'refunds', target: 'audit' },
    ]);
    const request = hook.requests[0]!;
    const verified = new Webhook(secret).verify(
      request.body,
      request.headers as Record<string, string>,
    ) as CloudEvent;
    expect(verified).toMatchObject({
      id: big!.id,
      type: 'order.placed',
      data: { orderId: 'o-1', total: 250 },
    });
    expect(request.headers['webhook-id']).toBe(deliveryId(big!, 'big-orders', 'hook'));
    expect(request.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(
        request.body,
        request.headers as Record<string, string>,
      ),
    ).toThrow();

    await engine.stop();
    expect(Object.fromEntries(engine.counts())).toEqual({
      'big-orders': { matched: 1, delivered: 3, failed: 0 },
      refunds: { matched: 1, delivered: 1, failed: 0 },
    });
    expect((await store.get('big-orders'))?.counts).toEqual({ matched: 1, delivered: 3, failed: 0 });
    // The small order matched nothing: one event on the flagged topic.
    expect(out.messages).toHaveLength(1);
  });

  it('sends a target that keeps failing to its own dead-letter topic after its attempts, the others once each', async () => {
    const { transport, store, group, source } = setup();
    const ok = unique('ok');
    await store.put({
      name: 'mixed',
      pattern: { type: ['order.placed'] },
      targets: [
        { id: 'broken', kind: 'handler', handler: 'broken', maxAttempts: 3 },
        { id: 'missing', kind: 'handler', handler: 'not-registered' },
        { id: 'ok', kind: 'topic', topic: ok },
      ],
    });
    await store.put({
      name: 'other',
      pattern: { data: { n: [{ exists: true }] } },
      targets: [{ id: 'fine', kind: 'handler', handler: 'fine' }],
    });
    const broken: Call[] = [];
    const fine: Call[] = [];
    const engine = started(
      createRuleEngine({
        transport,
        store,
        group,
        sources: [source],
        handlers: { broken: recorder(broken, () => true), fine: recorder(fine) },
        retry,
      }),
    );
    await engine.start();
    const dlq = await collect(transport, `${group}.mixed.broken.dlq`);
    const missingDlq = await collect(transport, `${group}.mixed.missing.dlq`);
    const okOut = await collect(transport, ok);
    cleanups.push(
      () => dlq.subscription.close(),
      () => missingDlq.subscription.close(),
      () => okOut.subscription.close(),
    );

    const events = await publishEvents(
      transport,
      source,
      Array.from({ length: 5 }, (_, n) => ({ type: 'order.placed', data: { n } })),
    );
    await waitFor(
      () =>
        dlq.messages.length >= 5 &&
        missingDlq.messages.length >= 5 &&
        okOut.messages.length >= 5 &&
        fine.length >= 5,
      {
        description: () =>
          `dlq ${dlq.messages.length}, missing ${missingDlq.messages.length}, ok ${okOut.messages.length}, fine ${fine.length}`,
      },
    );
    await engine.stop();

    const ids = events.map((event) => event.id).sort();
    expect(dlq.messages.map(({ event }) => event.id).sort()).toEqual(ids);
    const metadata = parseDeadLetterHeaders(dlq.messages[0]!.message.headers)!;
    expect(metadata.metadata).toMatchObject({
      attempts: 3,
      errorMessage: expect.stringMatching(/^target down for /) as unknown,
      topic: `${group}.deliveries`,
      group,
    });
    expect(metadata.original).toMatchObject({ 'eddy-rule': 'mixed', 'eddy-rule-target': 'broken' });
    expect(broken).toHaveLength(15);
    expect(broken.map((call) => call.attempt).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    // Not retriable: one attempt, straight to the dead-letter topic.
    expect(
      missingDlq.messages.map(({ message }) => parseDeadLetterHeaders(message.headers)?.metadata.attempts),
    ).toEqual([1, 1, 1, 1, 1]);
    expect(okOut.messages.map(({ event }) => event.causationid).sort()).toEqual(ids);
    expect(fine.map((call) => call.eventId).sort()).toEqual(ids);
    expect((await store.get('mixed'))?.counts).toEqual({ matched: 5, delivered: 5, failed: 10 });
    expect((await store.get('other'))?.counts).toEqual({ matched: 5, delivered: 5, failed: 0 });
  });

  it('lets the other targets finish while one is still retrying, and repeats none of them', async () => {
    const { transport, store, group, source } = setup();
    await store.put({
      name: 'slow-and-fast',
      pattern: { type: ['order.placed'] },
      targets: [
        { id: 'down', kind: 'handler', handler: 'down', maxAttempts: 100 },
        { id: 'up', kind: 'handler', handler: 'up' },
      ],
    });
    let available = false;
    const down: Call[] = [];
    const up: Call[] = [];
    const engine = started(
      createRuleEngine({
        transport,
        store,
        group,
        sources: [source],
        handlers: { down: recorder(down, () => !available), up: recorder(up) },
        retry: { baseDelayMs: 20, maxDelayMs: 40 },
      }),
    );
    await engine.start();
    // One key: the events are matched in order, and the failing target's retries would hold back
    // anything queued behind them on the same key.
    const events = await publishEvents(
      transport,
      source,
      Array.from({ length: 6 }, (_, n) => ({
        type: 'order.placed',
        data: { n },
        partitionkey: 'customer-1',
      })),
    );
    await waitFor(() => up.length >= 6 && down.length >= 2, { description: 'the healthy target' });
    expect(down.every((call) => call.eventId === events[0]!.id)).toBe(true);
    available = true;
    await waitFor(() => down.filter((call) => call.ok).length >= 6, { description: 'the recovered target' });
    await engine.stop();
    const ids = events.map((event) => event.id);
    expect(up.map((call) => call.eventId)).toEqual(ids);
    // Each event reached the recovered target once, in the key's order.
    expect(down.filter((call) => call.ok).map((call) => call.eventId)).toEqual(ids);
  });

  it('resumes after a restart: events published while it was away are matched, against rules changed meanwhile', async () => {
    const { transport, store, path, group, source } = setup();
    await store.put({
      name: 'first',
      pattern: { type: ['ping'] },
      targets: [{ id: 'h', kind: 'handler', handler: 'h' }],
    });
    const calls: Call[] = [];
    const handlers = { h: recorder(calls) };
    const before = createRuleEngine({ transport, store, group, sources: [source], handlers, retry });
    await before.start();
    const [e1] = await publishEvents(transport, source, [{ type: 'ping', data: { n: 1 } }]);
    await waitFor(() => calls.length >= 1, { description: 'the first delivery' });
    await before.stop();
    await transport.close();

    const again = createSqliteTransport({ path });
    cleanups.push(() => again.close());
    const [e2, e3] = await publishEvents(again, source, [
      { type: 'ping', data: { n: 2 } },
      { type: 'ping', data: { n: 3 } },
    ]);
    await store.put({
      name: 'second',
      pattern: { data: { n: [{ numeric: ['>', 2] }] } },
      targets: [{ id: 'h', kind: 'handler', handler: 'h' }],
    });
    const after = started(
      createRuleEngine({ transport: again, store, group, sources: [source], handlers, retry }),
    );
    await after.start();
    await waitFor(() => calls.length >= 4, { description: 'the deliveries after the restart' });
    await after.stop();
    const seen = calls.map((call) => `${call.rule}:${call.eventId}`).sort();
    expect(seen).toEqual(
      [`first:${e1!.id}`, `first:${e2!.id}`, `first:${e3!.id}`, `second:${e3!.id}`].sort(),
    );
  });

  it('follows the store: a rule put while running matches, a disabled one stops matching', async () => {
    const { transport, store, group, source } = setup();
    await store.put({
      name: 'sentinel',
      pattern: { type: ['mark'] },
      targets: [{ id: 'h', kind: 'handler', handler: 'h' }],
    });
    const calls: Call[] = [];
    const engine = started(
      createRuleEngine({
        transport,
        store,
        group,
        sources: [source],
        handlers: { h: recorder(calls) },
        retry,
        reloadIntervalMs: 20,
      }),
    );
    await engine.start();
    await store.put({
      name: 'late',
      pattern: { type: ['ping'] },
      targets: [{ id: 'h', kind: 'handler', handler: 'h' }],
    });
    await waitFor(
      async () => {
        // The poll picks the new rule up; until then pings go unmatched.
        await publishEvents(transport, source, [{ type: 'ping', partitionkey: 'k' }]);
        return calls.some((call) => call.rule === 'late');
      },
      { intervalMs: 50, description: 'the rule put while running' },
    );

    await store.put({
      name: 'late',
      pattern: { type: ['ping'] },
      targets: [{ id: 'h', kind: 'handler', handler: 'h' }],
      enabled: false,
    });
    await engine.reload();
    // Same key: events are matched in order, so once a mark is delivered every ping before it was matched.
    const [first] = await publishEvents(transport, source, [{ type: 'mark', partitionkey: 'k' }]);
    await waitFor(() => calls.some((call) => call.eventId === first!.id), { description: 'the first mark' });
    const matchedBefore = engine.counts().get('late')!.matched;
    const [, mark] = await publishEvents(transport, source, [
      { type: 'ping', partitionkey: 'k' },
      { type: 'mark', partitionkey: 'k' },
    ]);
    await waitFor(() => calls.some((call) => call.eventId === mark!.id), { description: 'the mark' });
    expect(engine.counts().get('late')!.matched).toBe(matchedBefore);
  });

  it('stops a rule that feeds its own source after maxHops, dead-lettering the looping delivery once', async () => {
    const { transport, store, group, source } = setup();
    // Matches its own output: every event it publishes to the source matches it again.
    await store.put({
      name: 'echo',
      pattern: { type: ['order.placed'] },
      targets: [{ id: 'again', kind: 'topic', topic: source }],
    });
    const engine = started(
      createRuleEngine({ transport, store, group, sources: [source], retry, maxHops: 3, from: 'earliest' }),
    );
    await engine.start();
    const all = await collect(transport, source);
    const dlq = await collect(transport, `${group}.echo.again.dlq`);
    cleanups.push(
      () => all.subscription.close(),
      () => dlq.subscription.close(),
    );

    const [first] = await publishEvents(transport, source, [{ type: 'order.placed', data: { n: 1 } }]);
    await waitFor(() => dlq.messages.length >= 1, { description: 'the looping delivery dead-lettered' });
    await waitFor(() => engine.counts().get('echo')?.matched === 4, {
      description: () => `matched ${engine.counts().get('echo')?.matched}`,
    });
    await engine.stop();

    // The original, then three generations, each caused by the one before.
    expect(all.messages.map(({ event }) => Number(event.rulehops ?? 0))).toEqual([0, 1, 2, 3]);
    expect(all.messages.slice(1).map(({ event }) => event.causationid)).toEqual(
      all.messages.slice(0, 3).map(({ event }) => event.id),
    );
    expect(all.messages.every(({ event }) => (event.correlationid ?? event.id) === first!.id)).toBe(true);
    const dead = parseDeadLetterHeaders(dlq.messages[0]!.message.headers)!;
    expect(dead.metadata).toMatchObject({ attempts: 1 });
    expect(dead.metadata.errorMessage).toMatch(/passed through 3 rule targets \(maxHops 3\)/);
    expect(dlq.messages).toHaveLength(1);
    expect(engine.counts().get('echo')).toEqual({ matched: 4, delivered: 3, failed: 1 });
  });

  it('refuses options it cannot run with', () => {
    const { transport, store } = setup();
    expect(() => createRuleEngine({ transport, store, sources: [] })).toThrow(/at least one topic/);
    expect(() => createRuleEngine({ transport, store, sources: ['bad topic'] })).toThrow(/Topic name/);
    expect(() => createRuleEngine({ transport, store, sources: ['ok'], retry: { maxAttempts: 0 } })).toThrow(
      /maxAttempts/,
    );
    expect(() => createRuleEngine({ transport, store, sources: ['ok'], maxHops: 0 })).toThrow(/maxHops/);
  });
});
