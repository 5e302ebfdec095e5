// `@eddy/core/schedule`: recurring events by cron expression and time zone, fired once across
// every process that shares a schedule store. Memory store in `@eddy/core/testing`; SQLite and
// PostgreSQL stores in their packages.
export {
  createScheduler,
  DEFAULT_MAX_CATCH_UP,
  DEFAULT_MISSED_AFTER_MS,
  DEFAULT_SCHEDULER_POLL_MS,
  type ScheduleDefinition,
  type Scheduler,
  type SchedulerOptions,
} from './schedule/scheduler.js';
export type {
  MissedRunPolicy,
  ScheduleAdvance,
  ScheduleDefinitionRecord,
  ScheduleRecord,
} from './schedule/schedule.js';
export type { ClaimDueOptions, ScheduleStore } from './schedule/schedule-store.js';
