import type { ScheduleDefinitionRecord, ScheduleRecord } from './schedule.js';

/**
 * Whether an upsert changes when the schedule fires (so its stored `nextRunAt` must be replaced):
 * another cron expression or time zone, or switching it on. Every store implementation applies
 * this same rule.
 */
export function redefinesTiming(stored: ScheduleRecord, next: ScheduleDefinitionRecord): boolean {
  return stored.cron !== next.cron || stored.timeZone !== next.timeZone || (!stored.enabled && next.enabled);
}
