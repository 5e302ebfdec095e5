import type { FairSlotStore } from '@eddy/core';

export interface FairSlotStoreConformanceOptions {
  /** Name shown in the test titles. */
  readonly name: string;
  /**
   * A new handle on the store under test. Handles of one test share its data, as members in
   * several processes share one database.
   */
  readonly createStore: () => Promise<FairSlotStore & { close(): Promise<void> }>;
  /** Runs after the suite, e.g. to drop a schema. */
  readonly teardown?: () => Promise<void>;
}
