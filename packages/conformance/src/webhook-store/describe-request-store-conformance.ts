import { randomBytes } from 'node:crypto';
import { ErrorCodes, isEddyError } from '@eddy/core';
import type { RequestStore } from '@eddy/webhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const T0 = Date.UTC(2030, 0, 1);

/** How the request store suite reaches the store under test. */
export interface RequestStoreConformanceOptions {
  readonly name: string;
  /** Opens a store; handles opened in one test share their data. The suite closes them after each test. */
  readonly createStore: () => RequestStore | Promise<RequestStore>;
  readonly teardown?: () => void | Promise<void>;
}

/** The `RequestStore` contract: pending requests, settled once (the first reply wins), expiry and purge. */
export function describeRequestStoreConformance(options: RequestStoreConformanceOptions): void {
  describe(`request store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: RequestStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<RequestStore> => {
      const store = await options.createStore();
      opened.push(store);
      return store;
    };
    const id = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

    it('creates a pending request once per id', async () => {
      const store = await open();
      const key = id('create');
      const created = await store.create({ id: key, type: 'quote.requested', expiresAt: T0 + 1_000 }, T0);
      expect(created).toEqual({
        id: key,
        type: 'quote.requested',
        status: 'pending',
        createdAt: T0,
        updatedAt: T0,
        expiresAt: T0 + 1_000,
      });
      expect(await store.get(key, T0 + 1)).toEqual(created);
      expect(await store.create({ id: key, type: 'other', expiresAt: T0 }, T0)).toBeUndefined();
      expect(await store.get(id('absent'), T0)).toBeUndefined();
    });

    it('completes or fails a pending request; the first outcome wins', async () => {
      const store = await open();
      const [done, failed] = [id('done'), id('failed')];
      await store.create({ id: done, type: 't', expiresAt: T0 + 1_000 }, T0);
      await store.create({ id: failed, type: 't', expiresAt: T0 + 1_000 }, T0);
      const result = { price: 8, items: ['a', 'é'], nested: { ok: true } };
      expect(await store.settle(done, { status: 'completed', result }, T0 + 5, T0 + 9_000)).toEqual({
        id: done,
        type: 't',
        status: 'completed',
        result,
        createdAt: T0,
        updatedAt: T0 + 5,
        expiresAt: T0 + 9_000,
      });
      expect(await store.settle(done, { status: 'failed', error: 'late' }, T0 + 6, T0 + 9_999)).toMatchObject(
        { status: 'completed', result, expiresAt: T0 + 9_000 },
      );
      expect(
        await store.settle(failed, { status: 'failed', error: 'no stock' }, T0 + 5, T0 + 9_000),
      ).toMatchObject({ status: 'failed', error: 'no stock' });
      expect(await store.get(failed, T0 + 6)).toMatchObject({ status: 'failed', error: 'no stock' });
      expect(await store.settle(id('absent'), { status: 'completed', result: 1 }, T0, T0)).toBeUndefined();
    });

    it('keeps a callback URL through settlement', async () => {
      const store = await open();
      const key = id('callback');
      const callbackUrl = 'https://hooks.example.com/results?tenant=a';
      expect(
        await store.create({ id: key, type: 't', expiresAt: T0 + 1_000, callbackUrl }, T0),
      ).toMatchObject({ status: 'pending', callbackUrl });
      expect(await store.settle(key, { status: 'completed', result: 7 }, T0 + 1, T0 + 2_000)).toMatchObject({
        status: 'completed',
        result: 7,
        callbackUrl,
      });
      expect(await store.get(key, T0 + 2)).toMatchObject({ callbackUrl });
    });

    it('lists pending requests with a callback created before a time, oldest first', async () => {
      const store = await open();
      const base = T0 + 50_000 + Math.floor(Math.random() * 1_000_000) * 10;
      const [older, newer, plain, settled, late] = ['older', 'newer', 'plain', 'settled', 'late'].map(id);
      const callbackUrl = 'https://hooks.example.com/r';
      const expiresAt = base + 100_000;
      await store.create({ id: newer!, type: 't', expiresAt, callbackUrl }, base + 2);
      await store.create({ id: older!, type: 't', expiresAt, callbackUrl }, base + 1);
      await store.create({ id: plain!, type: 't', expiresAt }, base + 1);
      await store.create({ id: settled!, type: 't', expiresAt, callbackUrl }, base + 1);
      await store.settle(settled!, { status: 'completed', result: 1 }, base + 3, expiresAt);
      await store.create({ id: late!, type: 't', expiresAt, callbackUrl }, base + 10);
      const overdue = await store.listOverdueCallbacks(base + 10, 1_000);
      const mine = overdue.map((r) => r.id).filter((r) => [older, newer, plain, settled, late].includes(r));
      expect(mine).toEqual([older, newer]);
      expect((await store.listOverdueCallbacks(base + 10, 1)).length).toBe(1);
    });

    it('hides expired requests and purges them', async () => {
      const store = await open();
      const [old, fresh] = [id('old'), id('fresh')];
      await store.create({ id: old, type: 't', expiresAt: T0 + 10 }, T0);
      await store.create({ id: fresh, type: 't', expiresAt: T0 + 1_000 }, T0);
      expect(await store.get(old, T0 + 10)).toBeUndefined();
      expect(await store.purge(T0 + 10)).toBeGreaterThanOrEqual(1);
      expect(await store.get(old, T0)).toBeUndefined();
      expect((await store.get(fresh, T0 + 10))?.id).toBe(fresh);
    });

    it('rejects every call after close with EDDY_CLOSED', async () => {
      const store = await open();
      await store.close();
      const error: unknown = await store.get('x', T0).catch((caught: unknown) => caught);
      expect(isEddyError(error, ErrorCodes.Closed)).toBe(true);
    });
  });
}
