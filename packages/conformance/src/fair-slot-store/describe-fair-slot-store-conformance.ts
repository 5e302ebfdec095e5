import { randomBytes } from 'node:crypto';
import type { FairSlotStore } from '@eddy/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import type { FairSlotStoreConformanceOptions } from './options.js';

/**
 * The `FairSlotStore` contract: at most `limit` unexpired slots per (scope, key), counted across
 * handles racing for them; a release frees a slot; a slot past its lease stops counting; scopes
 * and keys are independent; with `ratePerSecond`, a key's starts across handles keep that rate.
 */
export function describeFairSlotStoreConformance(options: FairSlotStoreConformanceOptions): void {
  describe(`fair-slot store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: (FairSlotStore & { close(): Promise<void> })[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<FairSlotStore> => {
      const store = await options.createStore();
      opened.push(store);
      return store;
    };
    const name = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

    it('gives at most limit slots of a key across handles racing for them', async () => {
      const [a, b] = [await open(), await open()];
      const scope = name('group');
      const tries = Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).tryAcquire(scope, 'tenant', `holder-${i}`, 3, 60_000),
      );
      const taken = await Promise.all(tries);
      expect(taken.filter(Boolean)).toHaveLength(3);
    });

    it('a released slot can be taken again; other keys and scopes are counted apart', async () => {
      const store = await open();
      const scope = name('group');
      expect(await store.tryAcquire(scope, 'k', 'h1', 1, 60_000)).toBe(true);
      expect(await store.tryAcquire(scope, 'k', 'h2', 1, 60_000)).toBe(false);
      expect(await store.tryAcquire(scope, 'other', 'h3', 1, 60_000)).toBe(true);
      expect(await store.tryAcquire(name('elsewhere'), 'k', 'h4', 1, 60_000)).toBe(true);
      await store.release(scope, 'k', 'h1');
      expect(await store.tryAcquire(scope, 'k', 'h2', 1, 60_000)).toBe(true);
    });

    it('keeps ratePerSecond across handles: a key is refused until its interval has passed', async () => {
      const [a, b] = [await open(), await open()];
      const scope = name('group');
      expect(await a.tryAcquire(scope, 'k', 'h1', 10, 60_000, 2)).toBe(true);
      await a.release(scope, 'k', 'h1');
      // A free slot, but the key started 0.5 s ago at most: the other handle must wait.
      expect(await b.tryAcquire(scope, 'k', 'h2', 10, 60_000, 2)).toBe(false);
      expect(await b.tryAcquire(scope, 'other', 'h3', 10, 60_000, 2)).toBe(true);
      const refusedAt = Date.now();
      await waitFor(async () => b.tryAcquire(scope, 'k', 'h2', 10, 60_000, 2), {
        timeoutMs: 5_000,
        description: 'the key’s next start',
      });
      // Counted in whole intervals with room for a loaded machine, not as an exact time.
      expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(200);
    });

    it('a slot held past its lease stops counting', async () => {
      const store = await open();
      const scope = name('group');
      expect(await store.tryAcquire(scope, 'k', 'crashed', 1, 1_000)).toBe(true);
      expect(await store.tryAcquire(scope, 'k', 'next', 1, 60_000)).toBe(false);
      await waitFor(async () => store.tryAcquire(scope, 'k', 'next', 1, 60_000), {
        timeoutMs: 5_000,
        description: 'the lease to run out',
      });
    });
  });
}
