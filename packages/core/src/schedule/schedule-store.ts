import type { ScheduleAdvance, ScheduleDefinitionRecord, ScheduleRecord } from './schedule.js';

/** Options of `ScheduleStore.claimDue`. */
export interface ClaimDueOptions {
  readonly now: number;
  readonly limit: number;
  /** How long the claim holds; a scheduler that dies holding it frees the schedule after this. */
  readonly leaseMs: number;
  /** Who claims (a scheduler instance id). */
  readonly owner: string;
}

/**
 * Where schedules live, shared by every scheduler on the backend. Claims make a due schedule
 * fire in one scheduler at a time across processes: `claimDue` leases due schedules to one
 * owner, `advance` moves them on and frees them. Memory in @eddy/core/testing; SQLite and
 * PostgreSQL in their packages.
 */
export interface ScheduleStore {
  /**
   * Creates or redefines a schedule. Idempotent: upserting the same definition again changes
   * nothing. `nextRunAt` (computed by the caller from now) is used on creation and whenever the
   * cron expression, the time zone or `enabled` changed; otherwise the stored one is kept, so
   * redeploying the same schedules never skips or repeats an occurrence.
   */
  upsert(definition: ScheduleDefinitionRecord, nextRunAt: number): Promise<ScheduleRecord>;
  get(id: string): Promise<ScheduleRecord | undefined>;
  /** Every schedule, by id. */
  list(): Promise<ScheduleRecord[]>;
  /** Removes a schedule; false when there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * Leases up to `limit` enabled schedules due at `now` (`nextRunAt <= now`) whose lease is free or
   * expired, to `owner` for `leaseMs`, oldest due first.
   */
  claimDue(options: ClaimDueOptions): Promise<ScheduleRecord[]>;
  /**
   * Records a handled claim: sets `nextRunAt`, adds the counts, frees the lease. Returns false
   * (and changes nothing) when the schedule no longer has `expectedNextRunAt` and this owner's
   * lease: it was redefined, deleted or taken over meanwhile.
   */
  advance(id: string, advance: ScheduleAdvance): Promise<boolean>;
  close(): Promise<void>;
}
