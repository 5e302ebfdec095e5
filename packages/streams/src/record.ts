/** What every stage sees besides the value: where the record came from and when it happened. */
export interface RecordMeta {
  /** The record's key: the event's partition key at the source, then whatever `keyBy` chose. */
  readonly key: string | undefined;
  /** Event time, epoch ms: the CloudEvent `time` at the source (the publish time when it has none). */
  readonly time: number;
  /** Id of the input event this record came from (the last one, for results formed by several). */
  readonly eventId: string;
  /** Correlation id of that input event (its own id when it has none). */
  readonly correlationId: string;
  /** Ids of every input event a result was formed from (pattern matches); else just `eventId`. */
  readonly causationIds?: readonly string[];
  /**
   * Identity of a stateful result (a window's result, a pattern's match), the same however often
   * the inputs behind it are redelivered; outputs derive their event ids from it.
   */
  readonly resultId?: string;
}

/** A value flowing through a pipeline, with its metadata. */
export interface StreamRecord<T> extends RecordMeta {
  readonly value: T;
}

/** A predicate of a stage: `filter`, `branch` and the conditions of event patterns. */
export type Condition<T> = (value: T, meta: RecordMeta) => boolean;
