import { createInputTransformer, type InputTransformer } from '../input-transformer.js';
import { createRuleMatcher, type RuleMatcher } from '../rule-matcher.js';
import type { RuleRecord, RuleTarget } from '../store/rule.js';

/** A target with its transformer checked once. */
export interface LoadedTarget {
  readonly target: RuleTarget;
  readonly transformer: InputTransformer | undefined;
}

/** A rule as an engine runs it. */
export interface LoadedRule {
  readonly record: RuleRecord;
  readonly targets: ReadonlyMap<string, LoadedTarget>;
}

/**
 * The rules an engine runs, kept equal to the store's by `sync`: only rules whose version changed
 * are compiled again, so following a store of thousands of rules costs little per change.
 */
export class RuleSet {
  readonly #matcher: RuleMatcher = createRuleMatcher();
  readonly #rules = new Map<string, LoadedRule>();

  get size(): number {
    return this.#rules.size;
  }

  get(name: string): LoadedRule | undefined {
    return this.#rules.get(name);
  }

  /** Enabled rules the event (its JSON form) matches. */
  match(event: object): LoadedRule[] {
    const names = this.#matcher.match(event);
    const rules: LoadedRule[] = [];
    for (const name of names) rules.push(this.#rules.get(name)!);
    return rules;
  }

  /** Makes the set equal to `records` (the store's full list). */
  sync(records: readonly RuleRecord[]): void {
    const seen = new Set<string>();
    for (const record of records) {
      seen.add(record.name);
      const loaded = this.#rules.get(record.name);
      if (loaded !== undefined && loaded.record.version === record.version) continue;
      this.#matcher.remove(record.name);
      const targets = new Map<string, LoadedTarget>();
      for (const target of record.targets) {
        targets.set(target.id, {
          target,
          transformer:
            target.inputTransformer === undefined
              ? undefined
              : createInputTransformer(target.inputTransformer),
        });
      }
      if (record.enabled) this.#matcher.add(record.name, record.pattern);
      this.#rules.set(record.name, { record, targets });
    }
    for (const name of [...this.#rules.keys()]) {
      if (!seen.has(name)) {
        this.#rules.delete(name);
        this.#matcher.remove(name);
      }
    }
  }
}
