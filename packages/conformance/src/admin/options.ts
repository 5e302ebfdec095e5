import type { Transport } from '@eddy/core';

/** How `describeTransportAdminConformance` reaches the transport under test, and what its admin offers. */
export interface TransportAdminConformanceOptions {
  /** Backend name shown in the test names, e.g. `postgres`. */
  readonly name: string;
  /**
   * Returns a NEW transport instance on the SAME backend on every call; `adminOf(transport)` must be
   * defined. The suite reads the admin of one instance while members subscribe on others, the way the
   * gateway watches other processes, and closes every instance after each test. Topics and groups are
   * unique per test.
   */
  readonly createTransport: () => Promise<Transport>;
  /** Runs once after all tests, e.g. to drop a schema or remove a database file. */
  readonly teardown?: () => Promise<void>;
  /**
   * Whether `createTopic` sets retention limits (`retentionMs`, `retentionMessages`) that `listTopics`
   * reports. When false, `createTopic` must reject them with `EDDY_NOT_SUPPORTED`. Default true.
   */
  readonly retention?: boolean;
  /**
   * Whether the backend assigns partitions to members, so `owner` names the member holding a
   * partition. When false, `owner` must be undefined everywhere. Default true.
   */
  readonly partitionOwners?: boolean;
  /**
   * Whether a member that is subscribed but holds no message counts in `members`, seen from another
   * transport instance. Default true.
   */
  readonly idleMembers?: boolean;
}
