/**
 * Where the members of one consumer group, in any number of processes, count the running
 * deliveries of each fair-group key, so `group.concurrency` holds for the group as a whole. A slot
 * is a lease: one its holder never releases (a crashed process) stops counting after `leaseMs`.
 * `createSqliteFairSlotStore` in `@eddy/sqlite` implements it.
 */
export interface FairSlotStore {
  /**
   * Takes a slot of `key` in `scope` (the consumer group) for `holder`, unless `limit` unexpired
   * slots are taken. With `ratePerSecond`, also refuses until `1000 / ratePerSecond` ms have passed
   * since the key's last slot was taken in the scope (a burst of one, as the local limit), checked
   * and recorded in the same atomic step, so the rate holds across processes. Resolves true when taken.
   */
  tryAcquire(
    scope: string,
    key: string,
    holder: string,
    limit: number,
    leaseMs: number,
    ratePerSecond?: number,
  ): Promise<boolean>;
  /** Gives the holder's slot back. */
  release(scope: string, key: string, holder: string): Promise<void>;
}
