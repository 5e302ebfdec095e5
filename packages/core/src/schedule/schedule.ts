/**
 * What to do with occurrences that passed while no scheduler ran (downtime): `skip` fires none of
 * them, `run-once` fires the latest one once, `catch-up` fires every one in order (up to the
 * scheduler's `maxCatchUp`). Occurrences are late when a scheduler reaches them more than
 * `missedAfterMs` after their time; on-time ones always fire.
 */
export type MissedRunPolicy = 'skip' | 'run-once' | 'catch-up';

/** A recurring event as stored: the definition plus where it stands. */
export interface ScheduleRecord {
  readonly id: string;
  /** Five- or six-field cron expression (seconds first when six). */
  readonly cron: string;
  /** IANA time zone the expression is read in, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  readonly missedRuns: MissedRunPolicy;
  /** Event type published at each occurrence. */
  readonly type: string;
  /** Event data (JSON). */
  readonly data: unknown;
  /** Partition key of the published events, when set. */
  readonly key?: string;
  readonly enabled: boolean;
  /** The next occurrence not yet handled, epoch ms. */
  readonly nextRunAt: number;
  /** The last occurrence that fired, epoch ms. */
  readonly lastRunAt?: number;
  /** Occurrences fired so far. */
  readonly runs: number;
  /** Occurrences not fired because of the missed-run policy. */
  readonly missed: number;
}

/** The fields `upsert` takes: the definition, without the counters. */
export type ScheduleDefinitionRecord = Omit<ScheduleRecord, 'nextRunAt' | 'lastRunAt' | 'runs' | 'missed'>;

/** What a scheduler reports after handling a claimed schedule. */
export interface ScheduleAdvance {
  /** The member that claimed it. */
  readonly owner: string;
  /** `nextRunAt` as claimed: the advance applies only if nobody moved or redefined it since. */
  readonly expectedNextRunAt: number;
  readonly nextRunAt: number;
  /** The last occurrence fired in this tick, if any. */
  readonly lastRunAt?: number;
  readonly fired: number;
  readonly missed: number;
}
