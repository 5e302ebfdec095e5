import { Cron } from 'croner';
import { InvalidOptionError } from '../errors/errors.js';

/**
 * A parsed cron expression in a time zone. Parsing, time zones and daylight-saving gaps are
 * croner's (a maintained library); this only adapts it to epoch milliseconds.
 */
export interface CronSchedule {
  /** The first occurrence strictly after `after` (epoch ms), or undefined when there is none. */
  nextAfter(after: number): number | undefined;
}

/** Parses `expression` in `timeZone`, throwing `EDDY_INVALID_OPTION` with the reason. */
export function parseCron(expression: string, timeZone: string): CronSchedule {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InvalidOptionError('A schedule needs a cron expression, e.g. "0 9 * * 1-5".');
  }
  try {
    // Intl accepts exactly the IANA zones the runtime knows, and says so clearly when it does not.
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new InvalidOptionError(
      `Unknown time zone "${timeZone}": use an IANA name such as "UTC" or "Europe/Berlin".`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: timeZone, paused: true });
  } catch (error) {
    throw new InvalidOptionError(
      `Invalid cron expression "${expression}": ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    nextAfter(after) {
      // croner's nextRun(date) returns the first run after `date`, at second precision.
      const next = cron.nextRun(new Date(after));
      return next === null ? undefined : next.getTime();
    },
  };
}
