import { randomBytes } from 'node:crypto';
import { ErrorCodes, isEddyError } from '@eddy/core';
import type { EndpointStore, NewEndpoint } from '@eddy/webhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { WebhookStoreConformanceOptions } from './options.js';

const T0 = Date.UTC(2030, 0, 1);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function endpoint(id: string, changes: Partial<NewEndpoint> = {}): NewEndpoint {
  return {
    id,
    url: 'https://hooks.example.com/orders',
    secrets: [{ secret: SECRET }],
    ordered: false,
    enabled: true,
    ...changes,
  };
}

/** The `EndpointStore` contract: endpoints stored whole, updated field by field, removed. */
export function describeEndpointStoreConformance(options: WebhookStoreConformanceOptions): void {
  describe(`endpoint store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: EndpointStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<EndpointStore> => {
      const store = await options.createEndpointStore();
      opened.push(store);
      return store;
    };
    const id = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

    it('stores every field of a new endpoint, and refuses a taken id', async () => {
      const store = await open();
      const key = id('create');
      const full = endpoint(key, {
        description: 'Orders to billing',
        secrets: [{ secret: SECRET }, { secret: `${SECRET}x`, expiresAt: T0 + 5 }],
        eventTypes: ['order.*', 'invoice.paid'],
        pattern: { data: { total: [{ numeric: ['>', 100] }] } },
        rateLimitPerSecond: 2.5,
        ordered: true,
      });
      const created = await store.create(full, T0);
      expect(created).toEqual({ ...full, createdAt: T0, updatedAt: T0 });
      expect(await store.get(key)).toEqual(created);
      expect(await store.create(endpoint(key, { url: 'https://other.example.com' }), T0 + 1)).toBeUndefined();
      expect((await store.get(key))?.url).toBe(full.url);
      expect((await store.list()).filter((e) => e.id === key)).toEqual([created]);
      expect(await store.get(id('absent'))).toBeUndefined();
    });

    it('lists endpoints by id', async () => {
      const store = await open();
      const prefix = id('list');
      for (const suffix of ['b', 'c', 'a']) await store.create(endpoint(`${prefix}-${suffix}`), T0);
      const mine = (await store.list()).map((e) => e.id).filter((name) => name.startsWith(prefix));
      expect(mine).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
    });

    it('updates the given fields, clears those set to null, and keeps the rest', async () => {
      const store = await open();
      const key = id('update');
      await store.create(endpoint(key, { description: 'd', eventTypes: ['a.*'], rateLimitPerSecond: 3 }), T0);
      const updated = await store.update(
        key,
        { enabled: false, disabledReason: 'gone', failingSince: T0 + 1, description: null, eventTypes: null },
        T0 + 10,
      );
      expect(updated).toEqual({
        ...endpoint(key, { rateLimitPerSecond: 3 }),
        enabled: false,
        disabledReason: 'gone',
        failingSince: T0 + 1,
        createdAt: T0,
        updatedAt: T0 + 10,
      });
      expect(await store.get(key)).toEqual(updated);
      const enabled = await store.update(
        key,
        { enabled: true, disabledReason: null, failingSince: null },
        T0 + 20,
      );
      expect(enabled).toMatchObject({ enabled: true, updatedAt: T0 + 20 });
      expect(enabled).not.toHaveProperty('disabledReason');
      expect(enabled).not.toHaveProperty('failingSince');
      expect(await store.update(id('absent'), { enabled: false }, T0)).toBeUndefined();
    });

    it('deletes an endpoint, saying whether there was one', async () => {
      const store = await open();
      const key = id('delete');
      await store.create(endpoint(key), T0);
      expect(await store.delete(key)).toBe(true);
      expect(await store.delete(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    it('shares endpoints between handles', async () => {
      const [one, two] = [await open(), await open()];
      const key = id('shared');
      await one.create(endpoint(key), T0);
      expect((await two.get(key))?.id).toBe(key);
    });

    it('rejects every call after close with EDDY_CLOSED', async () => {
      const store = await open();
      await store.close();
      const error: unknown = await store.get('x').catch((caught: unknown) => caught);
      expect(isEddyError(error, ErrorCodes.Closed)).toBe(true);
    });
  });
}
