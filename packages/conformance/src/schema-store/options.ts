import type { SchemaStore } from '@eddy/schemas';

/** How the schema store suite reaches the store under test, and what the backend declares. */
export interface SchemaStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens a new handle on the backend. The suite closes every handle it opens after each test, so
   * return a fresh one per call. Tests use random subjects and fingerprints, so all handles may
   * share one database; the registry-wide settings are restored after the test that changes them.
   */
  readonly createStore: () => SchemaStore | Promise<SchemaStore>;
  /** Runs once after all tests (drop the schema, remove the file). */
  readonly teardown?: () => void | Promise<void>;
  /**
   * Whether handles from separate `createStore` calls see the same data, as processes sharing one
   * database do. When true, the concurrency tests spread their calls over several handles.
   * Default `true`; `false` for the in-process memory store.
   */
  readonly sharedByInstances?: boolean;
}
