import type { ScheduleStore } from '@eddy/core/schedule';

/** How the schedule store suite reaches the store under test. */
export interface ScheduleStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens a store. Handles opened in one test share their schedules (one table, one database), as
   * schedulers in several processes would; tests use ids of their own, so several tests may share
   * the backend. The suite closes every handle after each test.
   */
  readonly createStore: () => ScheduleStore | Promise<ScheduleStore>;
  /** Runs once after all tests (drop the schema, remove the file). */
  readonly teardown?: () => void | Promise<void>;
}
