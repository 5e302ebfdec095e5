import type { EventStore } from '@eddy/core/event-sourcing';

/** How `describeEventStoreConformance` reaches the store under test. */
export interface EventStoreConformanceOptions {
  /** Backend name shown in the test names, e.g. `postgres`. */
  readonly name: string;
  /**
   * Returns a store on the backend under test; called once per test, and the suite closes it
   * after the test. Instances may share one database: every test uses its own random stream ids
   * and category, and never assumes it is alone in `readAll`.
   */
  readonly createStore: () => EventStore | Promise<EventStore>;
  /** Runs once after all tests, e.g. to drop a schema or remove a database file. */
  readonly teardown?: () => Promise<void>;
}
