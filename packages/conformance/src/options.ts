import type { Transport } from '@eddy/core';

/** How `describeTransportConformance` reaches the transport under test. */
export interface TransportConformanceOptions {
  /** Backend name shown in the test names, e.g. `postgres`. */
  readonly name: string;
  /**
   * Returns a NEW transport instance connected to the SAME backend on every call. The suite opens
   * several per test to play several processes or group members, and closes each after the test.
   * Topics and groups are unique per test, so the backend needs no cleaning between tests.
   */
  readonly createTransport: () => Promise<Transport>;
  /** Runs once after all tests, e.g. to stop a server or remove a database file. */
  readonly teardown?: () => Promise<void>;
  /**
   * `ackTimeoutMs` the suite passes where it waits for ack-timeout redelivery. Default 1000 ms;
   * raise it only for a backend whose minimum is higher.
   */
  readonly ackTimeoutMs?: number;
}
