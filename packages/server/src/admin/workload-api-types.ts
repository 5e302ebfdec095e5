import type { MissedRunPolicy } from '@eddy/core/schedule';

/** What a long-running handler last reported with `ctx.progress`. */
export type ProgressJson = number | string | Readonly<Record<string, number | string | boolean>>;

/** A schedule as the gateway shows it (`ServerOptions.schedules`). Times are RFC 3339. */
export interface ScheduleJson {
  readonly id: string;
  /** Five- or six-field cron expression (seconds first when six). */
  readonly cron: string;
  /** IANA time zone the expression is read in. */
  readonly timeZone: string;
  readonly missedRuns: MissedRunPolicy;
  /** Event type published at each occurrence. */
  readonly type: string;
  readonly data: unknown;
  readonly key?: string;
  readonly enabled: boolean;
  /** The next occurrence not yet handled; absent when the expression never fires again. */
  readonly nextRunAt?: string;
  /** The last occurrence that fired; absent before the first. */
  readonly lastRunAt?: string;
  /** Occurrences fired so far. */
  readonly runs: number;
  /** Occurrences not fired because of the missed-run policy. */
  readonly missed: number;
}

/** `GET /v1/schedules`. */
export interface ScheduleListResponse {
  readonly schedules: readonly ScheduleJson[];
}

/** `GET`, `PUT /v1/schedules/:id`, and its `pause` and `resume`. */
export interface ScheduleResponse {
  readonly schedule: ScheduleJson;
}

/** `PUT /v1/schedules/:id`: the definition; `timeZone` defaults to UTC, `missedRuns` to `run-once`, `enabled` to true. */
export interface PutScheduleRequest {
  readonly cron: string;
  readonly type: string;
  readonly data?: unknown;
  readonly timeZone?: string;
  readonly key?: string;
  readonly missedRuns?: MissedRunPolicy;
  readonly enabled?: boolean;
}

/** A running delivery of a long-running handler (`ServerOptions.buses`). Times are RFC 3339. */
export interface InflightJson {
  readonly handler: string;
  /** Event type the handler is registered for; absent if the bus no longer lists the handler. */
  readonly type?: string;
  /** The event's id: what `POST /v1/inflight/:eventId/cancel` takes. */
  readonly eventId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly deliveryCount: number;
  readonly startedAt: string;
  /** The last `ctx.progress` value; absent before any. */
  readonly progress?: ProgressJson;
  /** Until when the last `ctx.extendLease` keeps the delivery; absent before any. */
  readonly leaseUntil?: string;
}

/** `GET /v1/inflight`. */
export interface InflightListResponse {
  readonly inflight: readonly InflightJson[];
}

/** `POST /v1/inflight/:eventId/cancel`. */
export interface CancelInflightRequest {
  /** Said in the `EDDY_CANCELLED` error the delivery is dead-lettered with. */
  readonly reason?: string;
}

/** `POST /v1/inflight/:eventId/cancel`: how many running deliveries were cancelled (one per handler). */
export interface CancelInflightResponse {
  readonly cancelled: number;
}

/** One key of a fair group, as one bus sees it (`GET /v1/fair-groups`). */
export interface FairKeyJson {
  readonly key: string;
  /** Deliveries of the key running now. */
  readonly running: number;
  /** Deliveries of the key fetched and waiting for its turn. */
  readonly waiting: number;
  /** Deliveries of the key started since the handler subscribed. */
  readonly delivered: number;
}

/** A handler registered with fair `group`s on one of the gateway's buses. */
export interface FairGroupJson {
  readonly handler: string;
  readonly topic: string;
  /** The handler's consumer group. */
  readonly group: string;
  readonly concurrency: number;
  /** Absent when unlimited. */
  readonly ratePerSecond?: number;
  readonly buffer: number;
  /** True when a `FairSlotStore` makes the limits hold for the whole consumer group. */
  readonly shared: boolean;
  readonly running: number;
  readonly waiting: number;
  /** Busiest first: keys running or waiting, then idle keys by deliveries started. */
  readonly keys: readonly FairKeyJson[];
}

/** `GET /v1/fair-groups`. */
export interface FairGroupListResponse {
  readonly fairGroups: readonly FairGroupJson[];
}

/** What publishes with `dedupe` to a topic came to, through the gateway's transport. */
export interface DedupeDecisionsJson {
  readonly topic: string;
  readonly dropped: number;
  readonly replaced: number;
  readonly extended: number;
  /** Published with nothing to drop for or replace: the first of a burst. */
  readonly passed: number;
}

/** A live dedupe key. Times are RFC 3339. */
export interface DedupeKeyJson {
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  readonly firstAt: string;
  /** When the key's latest message is due; absent when it was due at once. */
  readonly dueAt?: string;
  /** When the key stops deciding repeats. */
  readonly expiresAt: string;
}

/** `GET /v1/dedupe`: decisions per topic. */
export interface DedupeListResponse {
  /** False when the transport has no publish-time dedupe. */
  readonly supported: boolean;
  readonly topics: readonly DedupeDecisionsJson[];
}

/** `GET /v1/topics/:topic/dedupe`. */
export interface TopicDedupeResponse {
  /** False when the transport has no publish-time dedupe: then everything is empty. */
  readonly supported: boolean;
  readonly decisions: DedupeDecisionsJson;
  /** Live keys, soonest due first. */
  readonly keys: readonly DedupeKeyJson[];
}
