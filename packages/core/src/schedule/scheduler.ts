import { randomUUID } from 'node:crypto';
import type { Bus, EventTypes } from '../bus/bus-types.js';
import { InvalidOptionError } from '../errors/errors.js';
import type { Logger } from '../observability/logger.js';
import { silentLogger } from '../observability/logger.js';
import { parseCron } from './cron.js';
import type { MissedRunPolicy, ScheduleRecord } from './schedule.js';
import type { ScheduleStore } from './schedule-store.js';

/** Default `pollIntervalMs` of a scheduler. */
export const DEFAULT_SCHEDULER_POLL_MS = 500;
/** Default `missedAfterMs`: an occurrence reached later than this is late (downtime). */
export const DEFAULT_MISSED_AFTER_MS = 60_000;
/** Default `maxCatchUp`: most late occurrences one `catch-up` tick fires. */
export const DEFAULT_MAX_CATCH_UP = 1_000;

export interface SchedulerOptions<Events> {
  /** Publishes the scheduled events; its event map types `upsertSchedule`. */
  readonly bus: Bus<Events>;
  readonly store: ScheduleStore;
  /** How often to look for due schedules, ms. Default 500. */
  readonly pollIntervalMs?: number;
  /** A claimed schedule is freed after this if its scheduler died, ms. Default 30 000. */
  readonly leaseMs?: number;
  /** Occurrences reached later than this are late and follow the missed-run policy, ms. Default 60 000. */
  readonly missedAfterMs?: number;
  /** Most late occurrences one `catch-up` tick fires; the rest wait for the next tick. Default 1 000. */
  readonly maxCatchUp?: number;
  readonly logger?: Logger;
  /** Called with errors of background ticks (they are retried on the next tick). Default: logged. */
  readonly onError?: (error: unknown) => void;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** A schedule as `upsertSchedule` takes it, typed by the bus's event map. */
export interface ScheduleDefinition<Events, TType extends EventTypes<Events>> {
  /** Five fields (minute first) or six (seconds first), e.g. `"0 9 * * 1-5"`. */
  readonly cron: string;
  /** IANA time zone the expression is read in. Default `UTC`. */
  readonly timeZone?: string;
  readonly type: TType;
  readonly data: Events[TType];
  /** Partition key of every published event. Default none. */
  readonly key?: string;
  /** What happens to occurrences missed during downtime. Default `run-once`. */
  readonly missedRuns?: MissedRunPolicy;
  /** Default true. */
  readonly enabled?: boolean;
}

export interface Scheduler<Events> {
  /**
   * Creates or redefines a schedule; idempotent, so every process may upsert its schedules at
   * start. Each occurrence is published once across every scheduler on the store, with event id
   * `<schedule id>@<occurrence time ISO>` (a scheduler that dies between publishing and recording
   * an occurrence republishes it under the same id, which consumers' dedup drops).
   */
  upsertSchedule<TType extends EventTypes<Events>>(
    id: string,
    definition: ScheduleDefinition<Events, TType>,
  ): Promise<ScheduleRecord>;
  deleteSchedule(id: string): Promise<boolean>;
  listSchedules(): Promise<ScheduleRecord[]>;
  /** Starts firing due schedules in the background. */
  start(): void;
  /** Stops firing; waits for a tick in progress. */
  stop(): Promise<void>;
  /** Runs one tick now: claims due schedules and fires them. Resolves with how many events it published. */
  tick(): Promise<number>;
}

const POLICIES: readonly MissedRunPolicy[] = ['skip', 'run-once', 'catch-up'];

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidOptionError(`${name} must be > 0, got ${value}.`);
  return value;
}

/**
 * Recurring events by cron expression and time zone, fired once across every process that runs a
 * scheduler on the same store (claims in the store decide who fires).
 */
export function createScheduler<Events>(options: SchedulerOptions<Events>): Scheduler<Events> {
  const { bus, store } = options;
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_SCHEDULER_POLL_MS);
  const leaseMs = positive('leaseMs', options.leaseMs ?? 30_000);
  const missedAfterMs = positive('missedAfterMs', options.missedAfterMs ?? DEFAULT_MISSED_AFTER_MS);
  const maxCatchUp = positive('maxCatchUp', options.maxCatchUp ?? DEFAULT_MAX_CATCH_UP);
  const logger = options.logger ?? silentLogger;
  const onError =
    options.onError ?? ((error: unknown) => logger.error({ err: error }, 'scheduler tick failed'));
  const now = options.now ?? Date.now;
  const owner = `scheduler-${randomUUID()}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  /** Publishes what is due for one claimed schedule and records it. */
  const fire = async (schedule: ScheduleRecord, at: number): Promise<number> => {
    const cron = parseCron(schedule.cron, schedule.timeZone);
    const due: number[] = [];
    for (
      let occurrence: number | undefined = schedule.nextRunAt;
      occurrence !== undefined && occurrence <= at;
    ) {
      due.push(occurrence);
      // Bound the walk: a years-long outage of a per-second schedule is not worth enumerating.
      if (due.length > maxCatchUp) break;
      occurrence = cron.nextAfter(occurrence);
    }
    const onTime = due.filter((occurrence) => at - occurrence <= missedAfterMs);
    const late = due.filter((occurrence) => at - occurrence > missedAfterMs);
    let toFire: number[];
    if (schedule.missedRuns === 'catch-up') toFire = due.slice(0, maxCatchUp);
    else if (schedule.missedRuns === 'run-once' && late.length > 0) toFire = [late.at(-1)!, ...onTime];
    else toFire = onTime;
    const missed = schedule.missedRuns === 'catch-up' ? 0 : due.length - toFire.length;
    for (const occurrence of toFire) {
      await bus.publish(schedule.type as EventTypes<Events>, schedule.data as Events[EventTypes<Events>], {
        id: `${schedule.id}@${new Date(occurrence).toISOString()}`,
        time: new Date(occurrence),
        ...(schedule.key === undefined ? {} : { key: schedule.key }),
      });
    }
    // A catch-up cut short by maxCatchUp resumes after what it fired; everything else is handled up to now.
    const truncated = schedule.missedRuns === 'catch-up' && due.length > toFire.length;
    const nextRunAt = cron.nextAfter(truncated ? toFire.at(-1)! : at) ?? Number.MAX_SAFE_INTEGER;
    const advanced = await store.advance(schedule.id, {
      owner,
      expectedNextRunAt: schedule.nextRunAt,
      nextRunAt,
      ...(toFire.length === 0 ? {} : { lastRunAt: toFire.at(-1)! }),
      fired: toFire.length,
      missed,
    });
    if (!advanced)
      logger.warn({ schedule: schedule.id }, 'schedule changed while it fired; its next run is recomputed');
    return toFire.length;
  };

  const tick = async (): Promise<number> => {
    const at = now();
    const claimed = await store.claimDue({ now: at, limit: 100, leaseMs, owner });
    let published = 0;
    for (const schedule of claimed) {
      try {
        published += await fire(schedule, at);
      } catch (error) {
        // The claim runs out and the schedule fires again, with the same event ids.
        onError(error);
      }
    }
    return published;
  };

  const loop = (): void => {
    if (stopped) return;
    running = tick()
      .catch((error: unknown) => {
        onError(error);
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, pollIntervalMs);
      });
  };

  return {
    async upsertSchedule(id, definition) {
      if (typeof id !== 'string' || id === '' || id.length > 200) {
        throw new InvalidOptionError(`A schedule id is 1-200 characters, got ${JSON.stringify(id)}.`);
      }
      const timeZone = definition.timeZone ?? 'UTC';
      const missedRuns = definition.missedRuns ?? 'run-once';
      if (!POLICIES.includes(missedRuns)) {
        throw new InvalidOptionError(
          `missedRuns must be one of ${POLICIES.join(', ')}, got "${String(missedRuns)}".`,
        );
      }
      if (typeof definition.type !== 'string' || definition.type === '') {
        throw new InvalidOptionError('A schedule needs the event type it publishes.');
      }
      const cron = parseCron(definition.cron, timeZone);
      const first = cron.nextAfter(now());
      if (first === undefined) {
        throw new InvalidOptionError(`Cron expression "${definition.cron}" never fires after now.`);
      }
      return store.upsert(
        {
          id,
          cron: definition.cron,
          timeZone,
          missedRuns,
          type: definition.type,
          data: definition.data,
          ...(definition.key === undefined ? {} : { key: definition.key }),
          enabled: definition.enabled ?? true,
        },
        first,
      );
    },
    deleteSchedule: (id) => store.delete(id),
    listSchedules: () => store.list(),
    start() {
      stopped = false;
      if (timer === undefined && running === undefined) loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    tick,
  };
}
