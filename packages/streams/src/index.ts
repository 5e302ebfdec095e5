// @eddy/streams: pipelines over the bus, keyed state, event-time windows and complex event patterns.
export {
  pipeline,
  type EventsOf,
  type Pipeline,
  type PipelineOptions,
  type PipelineSource,
  type PipelineStatus,
  type TableOptions,
} from './pipeline.js';
export { lookupTable, type Table } from './tables/table.js';
export type { JoinOptions } from './tables/join-stage.js';
export { Stream, WindowedStream, type AggregateOptions, type ToOptions } from './stream.js';
export type { Condition, RecordMeta, StreamRecord } from './record.js';
export type { PipelineStats, StageStatus } from './engine/processor.js';
export type { KeyedResult } from './engine/aggregate-stage.js';
export {
  average,
  count,
  max,
  min,
  reduce,
  sum,
  type Aggregation,
  type AverageAccumulator,
} from './aggregations.js';
export {
  hopping,
  session,
  sliding,
  tumbling,
  type HoppingWindow,
  type SessionWindow,
  type SlidingWindow,
  type TumblingWindow,
  type WindowOptions,
  type WindowResult,
  type WindowSpec,
} from './windows/window-types.js';
export {
  absence,
  repetition,
  sequence,
  type AbsencePattern,
  type EventPattern,
  type MatchedEvent,
  type PatternMatch,
  type PatternStep,
  type RepetitionPattern,
  type SequencePattern,
} from './patterns/pattern-types.js';
export {
  DEFAULT_INPUT_TTL_MS,
  type ConsumedInput,
  type ConsumedPosition,
  type PendingOutput,
  type StateCommit,
  type StateEntry,
  type StateStore,
} from './state-store.js';
export { createMemoryStateStore, type MemoryStateStoreOptions } from './memory/memory-state-store.js';
export {
  InvalidEventPatternError,
  InvalidPipelineError,
  InvalidStateError,
  InvalidWindowError,
  StreamsErrorCodes,
  type StreamsErrorCode,
} from './errors.js';
