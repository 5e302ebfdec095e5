import { ClosedError } from '@eddy/core/internal';
import { checkRule } from '../store/check-rule.js';
import type { RuleRecord } from '../store/rule.js';
import type { RuleStore } from '../store/rule-store.js';

/** Rules in a Map, for tests, development and single-process tools. */
export function createMemoryRuleStore(): RuleStore {
  const rules = new Map<string, RuleRecord>();
  let revision = 0;
  let closed = false;
  const open = async (): Promise<void> => {
    await Promise.resolve();
    if (closed) throw new ClosedError('The rule store');
  };

  return {
    async put(input) {
      await open();
      const rule = checkRule(input);
      const existing = rules.get(rule.name);
      const now = Date.now();
      const record: RuleRecord = {
        ...rule,
        version: (existing?.version ?? 0) + 1,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        counts: existing?.counts ?? { matched: 0, delivered: 0, failed: 0 },
      };
      rules.set(rule.name, record);
      revision++;
      return structuredClone(record);
    },
    async get(name) {
      await open();
      const record = rules.get(name);
      return record === undefined ? undefined : structuredClone(record);
    },
    async list() {
      await open();
      return [...rules.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((r) => structuredClone(r));
    },
    async delete(name) {
      await open();
      const deleted = rules.delete(name);
      if (deleted) revision++;
      return deleted;
    },
    async revision() {
      await open();
      return revision;
    },
    async addCounts(deltas) {
      await open();
      for (const delta of deltas) {
        const record = rules.get(delta.name);
        if (record === undefined) continue;
        rules.set(delta.name, {
          ...record,
          counts: {
            matched: record.counts.matched + (delta.matched ?? 0),
            delivered: record.counts.delivered + (delta.delivered ?? 0),
            failed: record.counts.failed + (delta.failed ?? 0),
          },
        });
      }
    },
    async close() {
      closed = true;
      await Promise.resolve();
    },
  };
}
