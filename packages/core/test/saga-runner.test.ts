import { createBus } from '@eddy/core';
import {
  createSagaAdmin,
  createSagaRunner,
  defineSaga,
  type SagaInstance,
  type SagaRunner,
  type SagaRunnerOptions,
} from '@eddy/core/saga';
import { createMemorySagaStore, createMemoryTransport } from '@eddy/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { unique } from './bus-test-helpers.js';

interface OrderInput {
  orderId: string;
  amount: number;
}
interface OrderContext extends Record<string, unknown> {
  paymentId: string;
  reservationId: string;
}

const runners: SagaRunner<OrderInput>[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

/** Local three-step saga whose steps record what ran, with which idempotency key. */
function localSaga(log: string[], failAt?: string, failCompensation?: string) {
  const act = (name: string, result: Partial<OrderContext> = {}) => ({
    name,
    action: ({ idempotencyKey }: { idempotencyKey: string }) => {
      log.push(`do ${name} ${idempotencyKey}`);
      if (name === failAt) throw new Error(`${name} refused`);
      return result;
    },
    compensate: ({ idempotencyKey }: { idempotencyKey: string }) => {
      log.push(`undo ${name} ${idempotencyKey}`);
      if (name === failCompensation) throw new Error(`${name} cannot be undone`);
    },
  });
  return defineSaga<OrderInput, OrderContext>({
    name: unique('order'),
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    compensationRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    steps: [
      act('payment', { paymentId: 'pay-1' }),
      act('inventory', { reservationId: 'res-1' }),
      act('shipping'),
    ],
  });
}

function run<E = Record<string, unknown>>(
  options: SagaRunnerOptions<OrderInput, OrderContext, E>,
): SagaRunner<OrderInput> {
  const runner = createSagaRunner(options);
  runners.push(runner);
  return runner;
}

describe('saga runner (local steps)', () => {
  it('runs every step once, accumulates context, and completes', async () => {
    const log: string[] = [];
    const store = createMemorySagaStore();
    const runner = run({ saga: localSaga(log), store, pollIntervalMs: 10 });
    await runner.start();
    await runner.startSaga('o-1', { orderId: 'o-1', amount: 10 });
    const done = await runner.whenSettled('o-1');
    expect(done.status).toBe('completed');
    expect(done.context).toEqual({ paymentId: 'pay-1', reservationId: 'res-1' });
    expect(log).toEqual(['do payment o-1:payment', 'do inventory o-1:inventory', 'do shipping o-1:shipping']);
  });

  it('treats a second start of one id as a no-op', async () => {
    const log: string[] = [];
    const runner = run({ saga: localSaga(log), store: createMemorySagaStore(), pollIntervalMs: 10 });
    await runner.start();
    await runner.startSaga('o-2', { orderId: 'o-2', amount: 1 });
    await runner.startSaga('o-2', { orderId: 'o-2', amount: 1 });
    await runner.whenSettled('o-2');
    expect(log.filter((l) => l.startsWith('do payment'))).toHaveLength(1);
  });

  it('retries a failing step, then compensates the completed ones in reverse order', async () => {
    const log: string[] = [];
    const store = createMemorySagaStore();
    const runner = run({ saga: localSaga(log, 'shipping'), store, pollIntervalMs: 5 });
    await runner.start();
    await runner.startSaga('o-3', { orderId: 'o-3', amount: 1 });
    const done = await runner.whenSettled('o-3');
    expect(done.status).toBe('compensated');
    expect(log).toEqual([
      'do payment o-3:payment',
      'do inventory o-3:inventory',
      'do shipping o-3:shipping',
      'do shipping o-3:shipping',
      'undo inventory o-3:inventory:compensate',
      'undo payment o-3:payment:compensate',
    ]);
    expect(done.steps.map((s) => s.status)).toEqual(['compensated', 'compensated', 'failed']);
    expect(done.error).toContain('shipping refused');
  });

  it('ends in compensation_failed, alerts, and is listed by that state', async () => {
    const log: string[] = [];
    const store = createMemorySagaStore();
    const alerts: SagaInstance[] = [];
    const runner = run({
      saga: localSaga(log, 'shipping', 'inventory'),
      store,
      pollIntervalMs: 5,
      onCompensationFailed: (instance) => void alerts.push(instance),
    });
    await runner.start();
    await runner.startSaga('o-4', { orderId: 'o-4', amount: 1 });
    const done = await runner.whenSettled('o-4');
    expect(done.status).toBe('compensation_failed');
    expect(log.filter((l) => l.startsWith('undo inventory'))).toHaveLength(3);
    // The payment was never refunded: a person must look, so it is never reported as compensated.
    expect(log.some((l) => l.startsWith('undo payment'))).toBe(false);
    expect(alerts.map((a) => a.id)).toEqual(['o-4']);
    const admin = createSagaAdmin(store);
    expect((await admin.list({ status: 'compensation_failed' })).map((i) => i.id)).toEqual(['o-4']);
    const timeline = await admin.timeline('o-4');
    expect(timeline.entries.map((e) => e.kind)).toContain('compensation_failed');
    expect(timeline.entries[0]?.kind).toBe('started');
  });

  it('fails a step that exceeds its timeout and compensates', async () => {
    const log: string[] = [];
    const saga = defineSaga<OrderInput, OrderContext>({
      name: unique('slow'),
      retry: { maxAttempts: 1 },
      steps: [
        { name: 'payment', action: () => void log.push('pay'), compensate: () => void log.push('refund') },
        {
          name: 'inventory',
          timeoutMs: 30,
          action: ({ signal }) =>
            new Promise<void>((_resolve, reject) =>
              signal.addEventListener('abort', () => reject(signal.reason as Error)),
            ),
        },
      ],
    });
    const runner = run({ saga, store: createMemorySagaStore(), pollIntervalMs: 5 });
    await runner.start();
    await runner.startSaga('o-5', { orderId: 'o-5', amount: 1 });
    const done = await runner.whenSettled('o-5');
    expect(done.status).toBe('compensated');
    expect(log).toEqual(['pay', 'refund']);
    expect(done.error).toContain('30 ms');
  });

  it('resumes an instance a crashed runner left mid-step, with the same idempotency key', async () => {
    const log: string[] = [];
    const store = createMemorySagaStore();
    const saga = localSaga(log);
    // What a runner killed during the inventory action leaves behind: the step marked running, lease expired.
    const first = run({ saga, store, pollIntervalMs: 5 });
    await first.startSaga('o-6', { orderId: 'o-6', amount: 1 });
    const settled = await first.whenSettled('o-6');
    const crashed = await store.create({
      ...settled,
      id: 'o-7',
      status: 'running',
      version: 0,
      stepIndex: 1,
      context: { paymentId: 'pay-1' },
      steps: [
        { name: 'payment', status: 'completed', attempts: 1, compensationAttempts: 0 },
        { name: 'inventory', status: 'running', attempts: 1, compensationAttempts: 0 },
        { name: 'shipping', status: 'pending', attempts: 0, compensationAttempts: 0 },
      ],
      dueAt: Date.now() - 1,
    });
    log.length = 0;
    const second = run({ saga, store, pollIntervalMs: 5 });
    await second.start();
    const done = await second.whenSettled(crashed.id);
    expect(done.status).toBe('completed');
    expect(log).toEqual(['do inventory o-7:inventory', 'do shipping o-7:shipping']);
    expect(done.steps[1]?.attempts).toBe(2);
  });
});

interface Events {
  'payment.reserve': { orderId: string };
  'payment.reserved': { paymentId: string };
  'payment.declined': { reason: string };
  'payment.refund': { orderId: string };
}

describe('saga runner (request/reply over the bus)', () => {
  async function setup(answer: 'reserved' | 'declined' | 'silent', duplicates = 1) {
    const transport = createMemoryTransport();
    const bus = createBus<Events>({ transport, group: unique('svc') });
    const commands: { id: string; key: unknown; correlation: string | undefined }[] = [];
    const refunds: string[] = [];
    bus.on('payment.reserve', async (event) => {
      commands.push({ id: event.id, key: event['idempotencykey'], correlation: event.correlationid });
      if (answer === 'silent') return;
      for (let i = 0; i < duplicates; i++) {
        if (answer === 'reserved')
          await bus.publish('payment.reserved', { paymentId: 'pay-9' }, { id: `reply-${event.id}` });
        else await bus.publish('payment.declined', { reason: 'card' });
      }
    });
    bus.on('payment.refund', (event) => void refunds.push(event.correlationid ?? ''));
    const saga = defineSaga<OrderInput, OrderContext>({
      name: unique('remote'),
      retry: { maxAttempts: 1 },
      steps: [
        {
          name: 'local',
          action: () => ({ reservationId: 'r' }),
          compensate: { command: 'payment.refund', data: ({ input }) => ({ orderId: input.orderId }) },
        },
        {
          name: 'payment',
          timeoutMs: 100,
          request: {
            command: 'payment.reserve',
            data: ({ input }) => ({ orderId: input.orderId }),
            success: 'payment.reserved',
            failure: ['payment.declined'],
            onReply: (reply) => ({ paymentId: (reply.data as { paymentId: string }).paymentId }),
          },
        },
      ],
    });
    const runner = run({ saga, store: createMemorySagaStore(), bus, pollIntervalMs: 10 });
    await bus.start();
    await runner.start();
    return { bus, runner, commands, refunds };
  }

  it('sends the command with the saga as correlation and completes on the reply, ignoring duplicates', async () => {
    const { bus, runner, commands } = await setup('reserved', 3);
    try {
      await runner.startSaga('o-10', { orderId: 'o-10', amount: 1 });
      const done = await runner.whenSettled('o-10');
      expect(done.status).toBe('completed');
      expect(done.context['paymentId']).toBe('pay-9');
      expect(commands).toEqual([{ id: 'o-10:payment:1', key: 'o-10:payment', correlation: 'o-10' }]);
      expect(done.history.filter((h) => h.kind === 'reply.received')).toHaveLength(1);
    } finally {
      await bus.stop();
    }
  });

  it('compensates by command when the service answers with a failure reply', async () => {
    const { bus, runner, refunds } = await setup('declined');
    try {
      await runner.startSaga('o-11', { orderId: 'o-11', amount: 1 });
      const done = await runner.whenSettled('o-11');
      expect(done.status).toBe('compensated');
      await expect.poll(() => refunds).toEqual(['o-11']);
    } finally {
      await bus.stop();
    }
  });

  it('compensates when no reply comes within the step timeout', async () => {
    const { bus, runner, refunds } = await setup('silent');
    try {
      await runner.startSaga('o-12', { orderId: 'o-12', amount: 1 });
      const done = await runner.whenSettled('o-12');
      expect(done.status).toBe('compensated');
      expect(done.error).toContain('no payment.reserved within 100 ms');
      await expect.poll(() => refunds).toEqual(['o-12']);
    } finally {
      await bus.stop();
    }
  });
});
