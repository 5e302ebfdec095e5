import { createDeadLetterAdmin, type CloudEvent } from '@eddy/core';
import { waitFor } from '@eddy/conformance';
import { createRuleEngine, deliveryId, type RuleHandlerContext } from '@eddy/rules';
import { createSqliteRuleStore, createSqliteTransport } from '@eddy/sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { collect, publishEvents, tempDir, unique, webhookReceiver } from './engine-harness.js';

const tmp = tempDir();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => tmp.remove());

function setup() {
  const transport = createSqliteTransport({ path: tmp.file(`${unique('log')}.db`) });
  const store = createSqliteRuleStore({ database: tmp.file(`${unique('rules')}.db`) });
  cleanups.push(
    () => store.close(),
    () => transport.close(),
  );
  return { transport, store, group: unique('rules'), source: unique('orders') };
}

const retry = { baseDelayMs: 5, maxDelayMs: 20 };

describe('rule engine targets on SQLite', () => {
  it('retries a webhook answering 503 with the same webhook-id, and dead-letters one answering 400 at once', async () => {
    const { transport, store, group, source } = setup();
    let flakyAnswers = 0;
    const flaky = await webhookReceiver(() => (++flakyAnswers <= 2 ? 503 : 204));
    const refusing = await webhookReceiver(() => 400);
    cleanups.push(flaky.close, refusing.close);
    await store.put({
      name: 'hooks',
      pattern: { type: ['order.placed'] },
      targets: [
        {
          id: 'flaky',
          kind: 'webhook',
          url: flaky.url,
          inputTransformer: { inputPathsMap: { id: '$.data.orderId' }, inputTemplate: 'order <id>' },
        },
        { id: 'refusing', kind: 'webhook', url: refusing.url },
      ],
    });
    const engine = createRuleEngine({ transport, store, group, sources: [source], retry });
    cleanups.push(() => engine.stop());
    await engine.start();
    const dlq = await collect(transport, `${group}.hooks.refusing.dlq`);
    cleanups.push(() => dlq.subscription.close());

    const [event] = await publishEvents(transport, source, [
      { type: 'order.placed', data: { orderId: 'o-7' } },
    ]);
    await waitFor(() => flaky.requests.length >= 3 && dlq.messages.length >= 1, {
      description: () => `flaky ${flaky.requests.length}, dlq ${dlq.messages.length}`,
    });
    await engine.stop();

    expect(flaky.requests).toHaveLength(3);
    expect(new Set(flaky.requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([deliveryId(event!, 'hooks', 'flaky')]),
    );
    expect(flaky.requests.map((request) => [request.headers['content-type'], request.body])).toEqual(
      Array.from({ length: 3 }, () => ['text/plain', 'order o-7']),
    );
    expect(refusing.requests).toHaveLength(1);
    expect(dlq.messages[0]!.event.id).toBe(event!.id);
    expect((await store.get('hooks'))?.counts).toEqual({ matched: 1, delivered: 1, failed: 1 });
  });

  it('delivers a dead-lettered delivery again to its one target when the entry is redriven', async () => {
    const { transport, store, group, source } = setup();
    let available = false;
    const calls: { target: string; eventId: string; ok: boolean }[] = [];
    const record =
      (failing: boolean) =>
      (event: CloudEvent, context: RuleHandlerContext): void => {
        const ok = !failing || available;
        calls.push({ target: context.target, eventId: event.id, ok });
        if (!ok) throw new Error('ledger offline');
      };
    await store.put({
      name: 'ledger',
      pattern: { type: ['payment.settled'] },
      targets: [
        { id: 'book', kind: 'handler', handler: 'book', maxAttempts: 2 },
        { id: 'notify', kind: 'handler', handler: 'notify' },
      ],
    });
    const engine = createRuleEngine({
      transport,
      store,
      group,
      sources: [source],
      handlers: { book: record(true), notify: record(false) },
      retry,
    });
    cleanups.push(() => engine.stop());
    await engine.start();
    const dlqTopic = `${group}.ledger.book.dlq`;
    const admin = createDeadLetterAdmin({ transport, idleMs: 100 });
    const [event] = await publishEvents(transport, source, [
      { type: 'payment.settled', data: { amount: 10 } },
    ]);
    await waitFor(async () => (await admin.list(dlqTopic)).length === 1, {
      description: 'the dead-lettered entry',
    });

    available = true;
    expect(await admin.redrive(dlqTopic)).toBe(1);
    await waitFor(() => calls.some((call) => call.target === 'book' && call.ok), {
      description: 'the redriven delivery',
    });
    await engine.stop();

    expect(calls.map(({ target, eventId, ok }) => `${target} ${ok} ${eventId === event!.id}`).sort()).toEqual(
      ['book false true', 'book false true', 'book true true', 'notify true true'],
    );
    expect(await admin.list(dlqTopic)).toEqual([]);
  });
});
