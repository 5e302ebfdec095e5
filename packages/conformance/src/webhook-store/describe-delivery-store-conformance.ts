import { randomBytes } from 'node:crypto';
import { ErrorCodes, isEddyError } from '@eddy/core';
import type { Delivery, DeliveryAttempt, DeliveryStore, NewDelivery } from '@eddy/webhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { WebhookStoreConformanceOptions } from './options.js';

const T0 = Date.UTC(2030, 0, 1);
const LEASE = 60_000;

function delivery(endpointId: string, eventId: string, ordered = false): NewDelivery {
  return {
    id: `${endpointId}.${eventId}`,
    endpointId,
    eventId,
    eventType: 'order.placed',
    payload: JSON.stringify({ type: 'order.placed', data: { eventId, note: 'é ✓' } }),
    ordered,
  };
}

function attempt(
  deliveryId: string,
  number: number,
  changes: Partial<DeliveryAttempt> = {},
): DeliveryAttempt {
  return {
    deliveryId,
    number,
    startedAt: T0 + number,
    latencyMs: 12.5,
    statusCode: 503,
    succeeded: false,
    error: 'HTTP 503',
    responseBody: 'busy',
    ...changes,
  };
}

/**
 * The `DeliveryStore` contract: idempotent enqueues, claims that give a due delivery to one owner
 * at a time (and only the head of an ordered endpoint), settlements that apply only for the owner,
 * the attempt log, listing, manual redelivery and retention.
 */
export function describeDeliveryStoreConformance(options: WebhookStoreConformanceOptions): void {
  describe(`delivery store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: DeliveryStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<DeliveryStore> => {
      const store = await options.createDeliveryStore();
      opened.push(store);
      return store;
    };
    const endpointId = (): string => `ep-${randomBytes(5).toString('hex')}`;
    const claimMine = async (
      store: DeliveryStore,
      endpoint: string,
      now: number,
      owner = 'one',
    ): Promise<Delivery[]> =>
      (await store.claimDue({ now, limit: 10_000, leaseMs: LEASE, owner })).filter(
        (d) => d.endpointId === endpoint,
      );

    it('enqueues pending deliveries due now, in sequence, each id once', async () => {
      const store = await open();
      const ep = endpointId();
      expect(await store.enqueue([delivery(ep, 'e1'), delivery(ep, 'e2')], T0)).toBe(2);
      expect(await store.enqueue([delivery(ep, 'e2'), delivery(ep, 'e3')], T0 + 1)).toBe(1);
      const listed = await store.list({ endpointId: ep });
      expect(listed.map((d) => d.eventId)).toEqual(['e3', 'e2', 'e1']);
      expect(listed[0]!.sequence).toBeGreaterThan(listed[1]!.sequence);
      expect(listed[1]!.sequence).toBeGreaterThan(listed[2]!.sequence);
      expect(await store.get(`${ep}.e1`)).toEqual({
        ...delivery(ep, 'e1'),
        sequence: listed[2]!.sequence,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store.get(`${ep}.absent`)).toBeUndefined();
    });

    it('claims due deliveries oldest first, for nobody else until the lease runs out', async () => {
      const store = await open();
      const ep = endpointId();
      await store.enqueue([delivery(ep, 'e1'), delivery(ep, 'e2')], T0);
      await store.enqueue([delivery(ep, 'later')], T0 + 10_000);
      expect((await claimMine(store, ep, T0 + 5)).map((d) => d.eventId)).toEqual(['e1', 'e2']);
      expect(await claimMine(store, ep, T0 + 6, 'two')).toEqual([]);
      expect((await claimMine(store, ep, T0 + 10_000, 'two')).map((d) => d.eventId)).toEqual(['later']);
      expect((await claimMine(store, ep, T0 + 5 + LEASE, 'three')).map((d) => d.eventId)).toEqual([
        'e1',
        'e2',
      ]);
    });

    it('gives an ordered endpoint one delivery at a time, the oldest pending one', async () => {
      const store = await open();
      const ep = endpointId();
      await store.enqueue([delivery(ep, 'e1', true), delivery(ep, 'e2', true), delivery(ep, 'e3', true)], T0);
      const [head] = await claimMine(store, ep, T0);
      expect(head?.eventId).toBe('e1');
      expect(await claimMine(store, ep, T0 + 1, 'two')).toEqual([]);
      // A head waiting for its retry holds the rest back.
      expect(
        await store.settle(head!.id, {
          owner: 'one',
          status: 'pending',
          nextAttemptAt: T0 + 100,
          attempt: attempt(head!.id, 1),
          now: T0 + 2,
        }),
      ).toBe(true);
      expect(await claimMine(store, ep, T0 + 50)).toEqual([]);
      expect((await claimMine(store, ep, T0 + 100)).map((d) => d.eventId)).toEqual(['e1']);
      await store.settle(head!.id, { owner: 'one', status: 'dead', nextAttemptAt: T0 + 100, now: T0 + 101 });
      expect((await claimMine(store, ep, T0 + 102)).map((d) => d.eventId)).toEqual(['e2']);
    });

    it('settles a claimed delivery for its owner only, logging the attempt', async () => {
      const store = await open();
      const ep = endpointId();
      await store.enqueue([delivery(ep, 'e1')], T0);
      const [claimed] = await claimMine(store, ep, T0);
      const id = claimed!.id;
      expect(
        await store.settle(id, { owner: 'other', status: 'succeeded', nextAttemptAt: T0, now: T0 }),
      ).toBe(false);
      const first = attempt(id, 1);
      expect(
        await store.settle(id, {
          owner: 'one',
          status: 'pending',
          nextAttemptAt: T0 + 500,
          attempt: first,
          lastError: 'HTTP 503',
          now: T0 + 1,
        }),
      ).toBe(true);
      expect(await store.get(id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: T0 + 500,
        lastError: 'HTTP 503',
        updatedAt: T0 + 1,
      });
      expect(
        await store.settle(id, { owner: 'one', status: 'succeeded', nextAttemptAt: T0, now: T0 + 2 }),
      ).toBe(false);
      const [again] = await claimMine(store, ep, T0 + 500);
      // Put back without an attempt (a rate limit): the count and the last error stay.
      await store.settle(again!.id, {
        owner: 'one',
        status: 'pending',
        nextAttemptAt: T0 + 600,
        now: T0 + 501,
      });
      expect(await store.get(id)).toMatchObject({
        attempts: 1,
        lastError: 'HTTP 503',
        nextAttemptAt: T0 + 600,
      });
      await claimMine(store, ep, T0 + 600);
      const second = attempt(id, 2, {
        statusCode: 200,
        succeeded: true,
        responseBody: '{"ok":true}',
        latencyMs: 3,
      });
      delete (second as { error?: string }).error;
      await store.settle(id, {
        owner: 'one',
        status: 'succeeded',
        nextAttemptAt: T0 + 601,
        attempt: second,
        now: T0 + 601,
      });
      const done = await store.get(id);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
      expect(done).not.toHaveProperty('lastError');
      expect(await store.listAttempts(id)).toEqual([first, second]);
      expect(await claimMine(store, ep, T0 + 10_000)).toEqual([]);
    });

    it('lists by endpoint and status, newest first, with a limit and paging', async () => {
      const store = await open();
      const ep = endpointId();
      await store.enqueue(
        ['e1', 'e2', 'e3', 'e4'].map((e) => delivery(ep, e)),
        T0,
      );
      const [claimed] = await claimMine(store, ep, T0);
      await store.settle(claimed!.id, { owner: 'one', status: 'dead', nextAttemptAt: T0, now: T0 + 1 });
      expect((await store.list({ endpointId: ep, status: 'dead' })).map((d) => d.eventId)).toEqual(['e1']);
      expect((await store.list({ endpointId: ep, status: 'pending' })).map((d) => d.eventId)).toEqual([
        'e4',
        'e3',
        'e2',
      ]);
      const page = await store.list({ endpointId: ep, limit: 2 });
      expect(page.map((d) => d.eventId)).toEqual(['e4', 'e3']);
      const next = await store.list({ endpointId: ep, limit: 2, beforeSequence: page[1]!.sequence });
      expect(next.map((d) => d.eventId)).toEqual(['e2', 'e1']);
    });

    it('redelivers a dead delivery due now, and takes a claim away from its holder', async () => {
      const store = await open();
      const ep = endpointId();
      await store.enqueue([delivery(ep, 'e1'), delivery(ep, 'e2')], T0);
      const [first, second] = await claimMine(store, ep, T0);
      await store.settle(first!.id, {
        owner: 'one',
        status: 'dead',
        nextAttemptAt: T0,
        attempt: attempt(first!.id, 1),
        now: T0 + 1,
      });
      expect(await store.redeliver(first!.id, T0 + 50)).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 50,
        attempts: 1,
      });
      expect(await store.redeliver(second!.id, T0 + 50)).toMatchObject({ status: 'pending' });
      expect(
        await store.settle(second!.id, {
          owner: 'one',
          status: 'succeeded',
          nextAttemptAt: T0,
          now: T0 + 51,
        }),
      ).toBe(false);
      expect((await claimMine(store, ep, T0 + 50, 'two')).map((d) => d.eventId).sort()).toEqual(['e1', 'e2']);
      expect(await store.listAttempts(first!.id)).toHaveLength(1);
      expect(await store.redeliver(`${ep}.absent`, T0)).toBeUndefined();
    });

    it('purges succeeded and dead deliveries older than the cut-off, with their attempts', async () => {
      const store = await open();
      const ep = endpointId();
      await store.enqueue(
        ['old-ok', 'old-dead', 'new-ok', 'pending'].map((e) => delivery(ep, e)),
        T0,
      );
      const claimed = await claimMine(store, ep, T0);
      const byEvent = new Map(claimed.map((d) => [d.eventId, d.id]));
      await store.settle(byEvent.get('old-ok')!, {
        owner: 'one',
        status: 'succeeded',
        nextAttemptAt: T0,
        attempt: attempt(byEvent.get('old-ok')!, 1),
        now: T0 + 10,
      });
      await store.settle(byEvent.get('old-dead')!, {
        owner: 'one',
        status: 'dead',
        nextAttemptAt: T0,
        now: T0 + 10,
      });
      await store.settle(byEvent.get('new-ok')!, {
        owner: 'one',
        status: 'succeeded',
        nextAttemptAt: T0,
        now: T0 + 1_000,
      });
      expect(await store.purge(T0 + 500)).toBeGreaterThanOrEqual(2);
      expect((await store.list({ endpointId: ep })).map((d) => d.eventId).sort()).toEqual([
        'new-ok',
        'pending',
      ]);
      expect(await store.listAttempts(byEvent.get('old-ok')!)).toEqual([]);
    });

    it('never gives one delivery to two handles claiming at once', async () => {
      const [one, two] = [await open(), await open()];
      const ep = endpointId();
      await one.enqueue(
        Array.from({ length: 40 }, (_, index) => delivery(ep, `e${index}`)),
        T0,
      );
      const claims = await Promise.all(
        [one, two, one, two].map((store, index) =>
          store.claimDue({ now: T0, limit: 15, leaseMs: LEASE, owner: `owner-${index}` }),
        ),
      );
      const mine = claims
        .flat()
        .filter((d) => d.endpointId === ep)
        .map((d) => d.id);
      expect(mine.length).toBe(new Set(mine).size);
    });

    it('rejects every call after close with EDDY_CLOSED', async () => {
      const store = await open();
      await store.close();
      const error: unknown = await store.list().catch((caught: unknown) => caught);
      expect(isEddyError(error, ErrorCodes.Closed)).toBe(true);
    });
  });
}
