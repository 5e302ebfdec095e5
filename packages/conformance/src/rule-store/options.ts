import type { RuleStore } from '@eddy/rules';

/** How the rule store suite reaches the store under test. */
export interface RuleStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens a store. Handles opened in one test share their rules (one table, one database), as
   * engines and gateways in several processes would; tests use names of their own, so several
   * tests may share the backend. The suite closes every handle after each test.
   */
  readonly createStore: () => RuleStore | Promise<RuleStore>;
  /** Runs once after all tests (drop the schema, remove the file). */
  readonly teardown?: () => void | Promise<void>;
}
