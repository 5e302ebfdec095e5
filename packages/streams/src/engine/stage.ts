import type { StreamRecord } from '../record.js';
import type { Scope } from './scope.js';

/** Receives the records a stage emits. */
export type Sink = (record: StreamRecord<unknown>, scope: Scope) => void;

/** Where a stage's records go: every sink attached downstream of it, in order. */
export class Outlet {
  readonly sinks: Sink[] = [];

  readonly emit = (record: StreamRecord<unknown>, scope: Scope): void => {
    for (const sink of this.sinks) sink(record, scope);
  };
}

/** A stage that keeps state: it has a name (the prefix of its state keys) and may need a clock. */
export interface StatefulStage {
  readonly name: string;
  /** Rebuilds in-memory indexes from every state entry (at start, and after a failed unit). */
  restore(entries: Iterable<readonly [string, unknown]>): void;
  /** The earliest wall-clock time this stage wants `onClock` called, if any. */
  nextWakeAt?(): number | undefined;
  /** Called with the wall-clock time once it passed `nextWakeAt()`. */
  onClock?(now: number, scope: Scope): void;
  /** Values this stage sent to its late output so far (windows). */
  late?(): number;
}

/** What a pipeline's stages register with it while the pipeline is being defined. */
export interface StageRegistry {
  readonly pipelineName: string;
  /** Registers a stateful stage; throws on a duplicate name. Returns the stage's state key prefix. */
  addStateful(stage: StatefulStage): string;
  /** A default name for the next stateful stage of `kind` (`aggregate-1`, `window-2`...). */
  nextName(kind: string): string;
  /** Records an output for `to(type)` stages. */
  addOutput(type: string): void;
}
