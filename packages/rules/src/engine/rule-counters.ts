import type { RuleCounts, RuleCountsDelta } from '../store/rule.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Counts kept twice: since the engine started (`totals`, for `engine.counts()`), and since the
 * last hand-over to the store (`take`), so many engines add to one stored figure.
 */
export class RuleCounters {
  readonly #totals = new Map<string, Mutable<RuleCounts>>();
  #pending = new Map<string, Mutable<RuleCounts>>();

  add(rule: string, kind: keyof RuleCounts): void {
    for (const map of [this.#totals, this.#pending]) {
      let counts = map.get(rule);
      if (counts === undefined) map.set(rule, (counts = { matched: 0, delivered: 0, failed: 0 }));
      counts[kind]++;
    }
  }

  totals(): ReadonlyMap<string, RuleCounts> {
    return new Map([...this.#totals].map(([name, counts]) => [name, { ...counts }]));
  }

  /** The counts not yet handed over, now cleared. */
  take(): RuleCountsDelta[] {
    const pending = this.#pending;
    this.#pending = new Map();
    return [...pending].map(([name, counts]) => ({ name, ...counts }));
  }

  /** Puts back counts whose hand-over failed, to go with the next one. */
  restore(deltas: readonly RuleCountsDelta[]): void {
    for (const delta of deltas) {
      let counts = this.#pending.get(delta.name);
      if (counts === undefined)
        this.#pending.set(delta.name, (counts = { matched: 0, delivered: 0, failed: 0 }));
      counts.matched += delta.matched ?? 0;
      counts.delivered += delta.delivered ?? 0;
      counts.failed += delta.failed ?? 0;
    }
  }
}
