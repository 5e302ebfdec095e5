import type { InboxStore } from '@eddy/core';

/** How the inbox store suite reaches the store under test, and what the backend declares. */
export interface InboxStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens a new handle on the backend. The suite closes every handle it opens after each test, so
   * return a fresh one per call (not a shared singleton). Tests use random handler names, so all
   * handles may share one database, schema or key prefix.
   */
  readonly createStore: () => InboxStore | Promise<InboxStore>;
  /** Runs once after all tests (drop the schema, delete the keys, remove the file). */
  readonly teardown?: () => void | Promise<void>;
  /**
   * Whether handles from separate `createStore` calls see the same entries, as processes sharing
   * one database do. When true, the duplicate, takeover and concurrency tests spread their claims
   * over several handles. Default `true`; `false` for the in-process memory store.
   */
  readonly sharedByInstances?: boolean;
  /**
   * Whether the backend deletes expired entries on its own (Redis key TTLs), so `purgeExpired`
   * has nothing to delete, returns 0 and cannot honour a `now` in the future. Default `false`:
   * `purgeExpired(now)` deletes and counts every entry whose TTL or lease ended before `now`.
   */
  readonly expiresEntriesItself?: boolean;
}
