import type { StateStore } from '@eddy/streams';

/** How the state store suite reaches the store under test. */
export interface StateStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens a store. Handles opened in one test share their state (one table, one database), as a
   * pipeline restarted in another process would; tests use namespaces of their own, so several
   * tests may share the backend. The suite closes every handle after each test.
   */
  readonly createStore: () => StateStore | Promise<StateStore>;
  /** Runs once after all tests (drop the schema, remove the file). */
  readonly teardown?: () => void | Promise<void>;
}
