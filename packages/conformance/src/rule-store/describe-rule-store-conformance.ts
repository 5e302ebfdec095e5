import { randomBytes } from 'node:crypto';
import { ErrorCodes, isEddyError } from '@eddy/core';
import { RulesErrorCodes, type RuleInput, type RuleStore } from '@eddy/rules';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RuleStoreConformanceOptions } from './options.js';

function rule(name: string, changes: Partial<RuleInput> = {}): RuleInput {
  return {
    name,
    pattern: { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } },
    targets: [
      {
        id: 'to-billing',
        kind: 'topic',
        topic: 'billing.big-orders',
        inputTransformer: { inputPathsMap: { order: '$.data.orderId' }, inputTemplate: '{"order": <order>}' },
      },
      { id: 'notify', kind: 'webhook', url: 'https://hooks.example.com/orders', maxAttempts: 3 },
      { id: 'audit', kind: 'handler', handler: 'audit', deadLetterTopic: 'audit.failed' },
    ],
    description: 'orders worth a look',
    ...changes,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * The `RuleStore` contract: rules checked before they are stored (nothing invalid is kept),
 * replaced with a growing version that keeps creation time and counts, a store-wide revision that
 * every change (and no count) moves, seen by every handle, and counts that add up when several
 * engines report at once.
 */
export function describeRuleStoreConformance(options: RuleStoreConformanceOptions): void {
  describe(`rule store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const opened: RuleStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });
    const open = async (): Promise<RuleStore> => {
      const store = await options.createStore();
      opened.push(store);
      return store;
    };
    const name = (label: string): string => `${label}-${randomBytes(5).toString('hex')}`;

    it('stores a rule as checked, at version 1 with no counts, and reads it back', async () => {
      const store = await open();
      const key = name('create');
      const before = Date.now();
      const created = await store.put(rule(key));
      expect(created).toMatchObject({
        ...rule(key),
        enabled: true,
        version: 1,
        counts: { matched: 0, delivered: 0, failed: 0 },
      });
      expect(created.createdAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(created.updatedAt).toBe(created.createdAt);
      expect(await store.get(key)).toEqual(created);
      expect((await store.list()).filter((record) => record.name === key)).toEqual([created]);
      expect(await store.get(name('absent'))).toBeUndefined();
    });

    it('takes a pattern as JSON text and stores it as an object; drops unknown fields', async () => {
      const store = await open();
      const key = name('text');
      const input = { ...rule(key, { pattern: '{"source":[{"prefix":"shop."}]}' }), extra: 'ignored' };
      const created = await store.put(input);
      expect(created.pattern).toEqual({ source: [{ prefix: 'shop.' }] });
      expect(created).not.toHaveProperty('extra');
      expect((await store.get(key))?.pattern).toEqual({ source: [{ prefix: 'shop.' }] });
    });

    it('replaces a rule with the next version, keeping createdAt and counts', async () => {
      const store = await open();
      const key = name('replace');
      const created = await store.put(rule(key));
      await store.addCounts([{ name: key, matched: 3, delivered: 2, failed: 1 }]);
      const replaced = await store.put(rule(key, { enabled: false, targets: [], description: 'off' }));
      expect(replaced).toMatchObject({
        name: key,
        enabled: false,
        targets: [],
        description: 'off',
        version: 2,
        createdAt: created.createdAt,
        counts: { matched: 3, delivered: 2, failed: 1 },
      });
      expect(replaced.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
      const withoutDescription = await store.put(
        (({ description: _description, ...rest }) => rest)(rule(key)),
      );
      expect(withoutDescription).not.toHaveProperty('description');
    });

    it('deletes a rule, saying whether there was one', async () => {
      const store = await open();
      const key = name('delete');
      await store.put(rule(key));
      expect(await store.delete(key)).toBe(true);
      expect(await store.delete(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
    });

    it('moves the revision with every put and delete, seen by other handles, and not with counts', async () => {
      const [one, two] = await Promise.all([open(), open()]);
      const key = name('revision');
      const r0 = await two.revision();
      await one.put(rule(key));
      const r1 = await two.revision();
      expect(r1).toBeGreaterThan(r0);
      await one.addCounts([{ name: key, matched: 1 }]);
      expect(await two.revision()).toBe(r1);
      await one.put(rule(key, { enabled: false }));
      const r2 = await two.revision();
      expect(r2).toBeGreaterThan(r1);
      await one.delete(key);
      expect(await two.revision()).toBeGreaterThan(r2);
      const r3 = await two.revision();
      await one.delete(key);
      expect(await two.revision()).toBe(r3);
    });

    it('rejects invalid rules with the reason and stores nothing', async () => {
      const store = await open();
      const key = name('invalid');
      const cases: [RuleInput, string][] = [
        [rule('has space'), RulesErrorCodes.InvalidRule],
        [rule(key, { pattern: { type: 'order.placed' } as never }), RulesErrorCodes.InvalidPattern],
        [rule(key, { pattern: '{not json' }), RulesErrorCodes.InvalidPattern],
        [
          rule(key, {
            targets: [
              { id: 't', kind: 'topic', topic: 'out', inputTransformer: { inputTemplate: '{"a": <nope>}' } },
            ],
          }),
          RulesErrorCodes.InvalidTransformer,
        ],
        [
          rule(key, { targets: [{ id: 't', kind: 'topic', topic: 'bad topic' }] }),
          RulesErrorCodes.InvalidRule,
        ],
        [
          rule(key, { targets: [{ id: 't', kind: 'webhook', url: 'ftp://example.com' }] }),
          RulesErrorCodes.InvalidRule,
        ],
        [
          rule(key, {
            targets: [
              { id: 't', kind: 'handler', handler: 'a' },
              { id: 't', kind: 'handler', handler: 'b' },
            ],
          }),
          RulesErrorCodes.InvalidRule,
        ],
        [rule(key, { targets: [{ id: 't', kind: 'queue' } as never] }), RulesErrorCodes.InvalidRule],
      ];
      for (const [input, code] of cases) {
        const error = await rejection(store.put(input));
        expect({ input, code: isEddyError(error) ? error.code : error }).toEqual({ input, code });
      }
      expect(await store.get(key)).toBeUndefined();
    });

    it('adds counts from handles reporting at once, ignoring rules that are not stored', async () => {
      const handles = await Promise.all([open(), open(), open()]);
      const key = name('counts');
      await handles[0].put(rule(key));
      await Promise.all(
        handles.flatMap((store) =>
          Array.from({ length: 5 }, () =>
            store.addCounts([
              { name: key, matched: 2, delivered: 1 },
              { name: name('absent'), matched: 1 },
            ]),
          ),
        ),
      );
      await handles[1].addCounts([{ name: key, failed: 4 }]);
      expect((await handles[2].get(key))?.counts).toEqual({ matched: 30, delivered: 15, failed: 4 });
    });

    it('gives concurrent puts of one rule distinct versions', async () => {
      const handles = await Promise.all([open(), open(), open()]);
      const key = name('race');
      const versions = await Promise.all(
        handles.flatMap((store, i) =>
          Array.from({ length: 4 }, (_, j) =>
            store.put(rule(key, { description: `${i}-${j}` })).then((record) => record.version),
          ),
        ),
      );
      expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect((await handles[0].get(key))?.version).toBe(12);
    });

    it('rejects calls after close with EDDY_CLOSED', async () => {
      const store = await options.createStore();
      await store.close();
      expect(isEddyError(await rejection(store.get('anything')), ErrorCodes.Closed)).toBe(true);
    });
  });
}
