import { createBus, type BusEvent } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import {
  createDataContracts,
  createMemorySchemaStore,
  createSchemaRegistry,
  SchemaErrorCodes,
  type SchemaViolationError,
} from '@eddy/schemas';
import { describe, expect, it } from 'vitest';

interface Events {
  'order.placed': { id?: unknown; total?: unknown; note?: unknown };
  'order.noted': { text: string };
}

const orderV1 = {
  type: 'object',
  required: ['id', 'total'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 3 }, total: { type: 'number', minimum: 0 } },
};
const orderV2 = { ...orderV1, properties: { ...orderV1.properties, note: { type: 'string' } } };

async function setup(options: Omit<Parameters<typeof createDataContracts>[0], 'registry'> = {}) {
  const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
  await registry.register('order.placed', { schemaType: 'JSON', schema: JSON.stringify(orderV1) });
  const contracts = createDataContracts({ registry, ...options });
  const bus = createBus<Events>({
    transport: createMemoryTransport(),
    publishMiddleware: [contracts.publishMiddleware],
  });
  const seen: BusEvent[] = [];
  bus.on('order.placed', (event) => void seen.push(event), { from: 'earliest' });
  bus.on('order.noted', (event) => void seen.push(event), { from: 'earliest' });
  await bus.start();
  return { registry, contracts, bus, seen };
}

async function rejection(promise: Promise<unknown>): Promise<SchemaViolationError> {
  return promise.then(
    () => {
      throw new Error('expected the publish to be refused');
    },
    (error: unknown) => error as SchemaViolationError,
  );
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('data contracts on the bus', () => {
  it('publishes valid data with dataschema naming the version, and refuses invalid data naming every failing path', async () => {
    const { bus, seen } = await setup();
    const ok = await bus.publish('order.placed', { id: 'o-1', total: 3 });
    const error = await rejection(bus.publish('order.placed', { id: 'o', total: -1 }));
    expect(error.code).toBe(SchemaErrorCodes.SchemaViolation);
    expect(error.problems).toEqual([
      { path: '/id', message: 'must NOT have fewer than 3 characters' },
      { path: '/total', message: 'must be >= 0' },
    ]);
    expect(error.message).toContain('subject "order.placed" version 1');
    // A type without a subject is published unchecked, without dataschema.
    await bus.publish('order.noted', { text: 'anything' });
    await until(() => seen.length === 2);
    await bus.stop();
    expect(seen.map((event) => [event.type, event.id === ok.id, event.dataschema])).toEqual([
      ['order.placed', true, 'urn:eddy:registry/subjects/order.placed/versions/1'],
      ['order.noted', false, undefined],
    ]);
  });

  it('follows the latest version after refreshMs, or stays on a pinned one', async () => {
    const latest = await setup({ refreshMs: 0, schemaBaseUri: 'http://127.0.0.1:4400/registry/' });
    await latest.registry.register('order.placed', { schemaType: 'JSON', schema: JSON.stringify(orderV2) });
    await latest.bus.publish('order.placed', { id: 'o-2', total: 1, note: 'gift' });
    await rejection(latest.bus.publish('order.placed', { id: 'o-3', total: 1, note: 7 }));
    await until(() => latest.seen.length === 1);
    await latest.bus.stop();
    expect(latest.seen[0]?.dataschema).toBe(
      'http://127.0.0.1:4400/registry/subjects/order.placed/versions/2',
    );

    const pinned = await setup({ refreshMs: 0, pinned: { 'order.placed': 1 } });
    await pinned.registry.register('order.placed', { schemaType: 'JSON', schema: JSON.stringify(orderV2) });
    // Version 1 has no `note`, so data only version 2 allows is refused.
    await rejection(pinned.bus.publish('order.placed', { id: 'o-4', total: 1, note: 'gift' }));
    await pinned.bus.publish('order.placed', { id: 'o-5', total: 1 });
    await until(() => pinned.seen.length === 1);
    await pinned.bus.stop();
    expect(pinned.seen[0]?.dataschema).toBe('urn:eddy:registry/subjects/order.placed/versions/1');
  });

  it('with requireSchema refuses a type that has no schema; subjectFor binds types to other subjects', async () => {
    const strict = await setup({ requireSchema: true });
    const error = await rejection(strict.bus.publish('order.noted', { text: 'x' }));
    expect(error.code).toBe(SchemaErrorCodes.SchemaViolation);
    expect(error.message).toContain('register one under subject "order.noted"');
    await strict.bus.stop();

    const bound = await setup({
      subjectFor: (type) => (type === 'order.noted' ? 'order.placed' : undefined),
    });
    await rejection(bound.bus.publish('order.noted', { text: 'x' }));
    await bound.bus.publish('order.placed', { total: -5 });
    await until(() => bound.seen.length === 1);
    await bound.bus.stop();
    expect(bound.seen[0]?.dataschema).toBeUndefined();
  });

  it('treats a type whose subject the registry cannot hold (over 255 characters) as a type without a schema', async () => {
    // The gateway checks events of any type a client sends, not only the bus's topic-sized types.
    const long = `order.${'x'.repeat(300)}`;
    const { contracts, bus } = await setup();
    await bus.stop();
    expect(await contracts.schemaFor(long)).toBeUndefined();

    const strict = await setup({ requireSchema: true });
    await strict.bus.stop();
    const error = await rejection(strict.contracts.schemaFor(long));
    expect(error.code).toBe(SchemaErrorCodes.SchemaViolation);
    expect(error.message).toContain('its subject cannot be registered');
  });

  it('passes deliverAt and dedupe on with the checked event', async () => {
    const { bus, seen } = await setup();
    const deliverAt = Date.now() + 50;
    const first = await bus.publish(
      'order.placed',
      { id: 'o-6', total: 1 },
      { deliverAt, dedupe: { key: 'o-6', ttlMs: 60_000 } },
    );
    // Dropped as a repeat of the first: the dedupe option reached the transport.
    const repeat = await bus.publish(
      'order.placed',
      { id: 'o-6', total: 1 },
      { dedupe: { key: 'o-6', ttlMs: 60_000 } },
    );
    await until(() => seen.length === 1);
    const receivedAt = Date.now();
    await bus.stop();
    expect(repeat.offset).toBe(first.offset);
    expect(receivedAt).toBeGreaterThanOrEqual(deliverAt);
    expect(seen.map((event) => [event.id, event.dataschema])).toEqual([
      [first.id, 'urn:eddy:registry/subjects/order.placed/versions/1'],
    ]);
  });

  it('checks an event that already names its version and keeps it as it is', async () => {
    const { contracts, bus } = await setup();
    await bus.stop();
    const base = {
      specversion: '1.0',
      id: 'e-1',
      source: '/test',
      type: 'order.placed',
      dataschema: 'urn:eddy:registry/subjects/order.placed/versions/1',
    } as const;
    const valid = { ...base, data: { id: 'o-7', total: 2 } };
    expect(await contracts.apply(valid)).toBe(valid);
    const error = await rejection(contracts.apply({ ...base, data: { id: 'o', total: 2 } }));
    expect(error.problems).toEqual([{ path: '/id', message: 'must NOT have fewer than 3 characters' }]);
    const stale = { ...valid, dataschema: 'urn:eddy:registry/subjects/order.placed/versions/9' };
    expect((await contracts.apply(stale)).dataschema).toBe(base.dataschema);
  });
});
