import type { RuleCountsDelta, RuleInput, RuleRecord } from './rule.js';

/**
 * Where rules live, shared by every engine and gateway on the backend. Engines find out about
 * changes by polling `revision()`, which grows with every `put` and `delete` in any process.
 * Memory in this package (`createMemoryRuleStore`); SQLite and PostgreSQL in theirs. After
 * `close()` every method rejects with `EDDY_CLOSED`.
 */
export interface RuleStore {
  /**
   * Creates or replaces the rule named `rule.name`, after checking it with `checkRule`
   * (`EDDY_INVALID_RULE`, `EDDY_INVALID_PATTERN`, `EDDY_INVALID_TRANSFORMER`; nothing is stored
   * then). Replacing keeps `createdAt` and the counts and adds one to `version`.
   */
  put(rule: RuleInput): Promise<RuleRecord>;
  get(name: string): Promise<RuleRecord | undefined>;
  /** Every rule, by name. */
  list(): Promise<RuleRecord[]>;
  /** Removes a rule; false when there was none. */
  delete(name: string): Promise<boolean>;
  /** A number that grows with every change to the rules (not to their counts). */
  revision(): Promise<number>;
  /** Adds to the counts of the named rules; names that are not stored are ignored. */
  addCounts(deltas: readonly RuleCountsDelta[]): Promise<void>;
  close(): Promise<void>;
}
