// JSON shapes of the saga, outbox and flow routes, re-exported by `@eddy/server/api`.

/** Lifecycle state of a saga or process-manager instance (as in `@eddy/core/saga`). */
export type SagaStatusJson = 'running' | 'compensating' | 'completed' | 'compensated' | 'compensation_failed';

/** One instance in a list. */
export interface SagaSummaryJson {
  readonly id: string;
  readonly sagaName: string;
  /** `process-manager` for instances without steps (process managers keep state and timers only). */
  readonly kind: 'saga' | 'process-manager';
  readonly status: SagaStatusJson;
  /** Name of the step the saga is on; absent once every step ran, and for process managers. */
  readonly currentStep?: string;
  readonly steps: number;
  readonly pendingTimers: number;
  readonly error?: string;
  /** RFC 3339. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When a runner looks at it next (retry, timeout, timer); null when only an event can move it. */
  readonly dueAt: string | null;
}

/** `GET /v1/sagas`. */
export interface SagaListResponse {
  /** False when the gateway was started without a saga store: nothing else is then filled in. */
  readonly configured: boolean;
  readonly instances: readonly SagaSummaryJson[];
  readonly offset: number;
  readonly limit: number;
  /** True when at least one more instance matches after this page. */
  readonly hasMore: boolean;
  /** Instances per status among the newest 1 000 matching the name filter. */
  readonly counts: Readonly<Record<SagaStatusJson, number>>;
}

export interface SagaStepJson {
  readonly name: string;
  readonly status: string;
  readonly attempts: number;
  readonly compensationAttempts: number;
  readonly error?: string;
}

export interface SagaHistoryJson {
  /** RFC 3339. */
  readonly at: string;
  readonly kind: string;
  readonly step?: string;
  readonly attempt?: number;
  readonly detail?: string;
}

/** `GET /v1/sagas/{id}`: the whole instance. */
export interface SagaInstanceResponse {
  readonly instance: SagaSummaryJson & {
    readonly version: number;
    readonly input: unknown;
    /** The saga's accumulated context, or the process manager's state. */
    readonly state: unknown;
    readonly stepList: readonly SagaStepJson[];
    /** Steps whose compensation ran or is running, in the order they were undone. */
    readonly compensations: readonly SagaStepJson[];
    readonly timers: readonly { readonly name: string; readonly dueAt: string }[];
    /** Oldest first. */
    readonly history: readonly SagaHistoryJson[];
  };
}

/** A row the outbox relay set aside. */
export interface FailedOutboxRowJson {
  readonly id: number;
  readonly topic: string;
  readonly key: string | null;
  readonly lane: number;
  /** From the row's `ce-type` / `ce-id` headers; null when absent. */
  readonly type: string | null;
  readonly eventId: string | null;
  readonly createdAt: string;
  readonly failedAt: string;
  /** `<code>: <message>` of the last publish. */
  readonly error: string;
  /**
   * Publish attempts the row had when it was set aside (1 for a permanent error); null for rows a
   * store set aside before it recorded them.
   */
  readonly attempts: number | null;
}

/** `GET /v1/outbox/failed`. */
export interface FailedOutboxListResponse {
  /** False when the gateway was started without an outbox store. */
  readonly configured: boolean;
  /** Whether the store can delete failed rows (`discardFailed`). */
  readonly canDiscard: boolean;
  readonly rows: readonly FailedOutboxRowJson[];
  readonly stats: { readonly pending: number; readonly failed: number };
  /** Pass as `afterId` for the next page; null on the last page. */
  readonly nextAfterId: number | null;
}

/** Body of `POST /v1/outbox/failed/retry` and `.../discard`. */
export interface OutboxRowsRequest {
  readonly ids: readonly number[];
}

export interface OutboxRetryResponse {
  readonly retried: number;
}

export interface OutboxDiscardResponse {
  readonly discarded: number;
}

/** One event type seen by the gateway. */
export interface FlowTypeJson {
  readonly type: string;
  readonly count: number;
  readonly topics: readonly string[];
  readonly lastSeen: string;
}

/** `from` caused `to`: events of type `to` on `topic` had a `causationid` naming an event of type `from`. */
export interface FlowLinkJson {
  readonly from: string;
  readonly to: string;
  readonly topic: string;
  readonly count: number;
  readonly lastSeen: string;
}

/** `GET /v1/flow`. */
export interface FlowResponse {
  readonly enabled: boolean;
  readonly types: readonly FlowTypeJson[];
  readonly links: readonly FlowLinkJson[];
  /** RFC 3339 of the first event recorded; null before any. */
  readonly since: string | null;
}

/** A recent event of one type, as the flow recorder kept it. */
export interface FlowEventJson {
  readonly id: string;
  readonly type: string;
  readonly topic: string;
  readonly source: string;
  readonly partition: number;
  readonly offset: string;
  readonly causationid?: string;
  readonly correlationid?: string;
  readonly seenAt: string;
}

/** `GET /v1/flow/events?type=`. */
export interface FlowEventsResponse {
  readonly events: readonly FlowEventJson[];
}
