import type { Aggregation } from './aggregations.js';
import { aggregateStage, type KeyedResult } from './engine/aggregate-stage.js';
import { outputId } from './engine/output-id.js';
import { Outlet, type StageRegistry } from './engine/stage.js';
import { InvalidPipelineError } from './errors.js';
import { patternStage } from './patterns/pattern-stage.js';
import type { EventPattern, PatternMatch } from './patterns/pattern-types.js';
import type { Condition, RecordMeta, StreamRecord } from './record.js';
import { joinStage, type JoinOptions } from './tables/join-stage.js';
import type { Table } from './tables/table.js';
import { windowStage } from './windows/window-stage.js';
import type { WindowOptions, WindowResult, WindowSpec } from './windows/window-types.js';

/** Options of `stream.to`. */
export interface ToOptions<T> {
  /** Partition key of the output event. Default the record's key. */
  readonly key?: (value: T, meta: RecordMeta) => string | undefined;
}

/** Options of `stream.aggregate`. */
export interface AggregateOptions {
  /** Stage name, the prefix of its state keys: keep it when the pipeline changes. Default `aggregate-<n>`. */
  readonly name?: string;
}

/**
 * A stream of values inside a pipeline. Stages compose in code; nothing runs until the pipeline
 * starts. Every stage runs inside the consumer of the input event, so a stage that throws fails
 * that delivery, which the bus retries and finally dead-letters.
 */
export class Stream<T> {
  /** @internal */
  readonly registry: StageRegistry;
  /** @internal */
  readonly outlet: Outlet;

  /** @internal */
  constructor(registry: StageRegistry, outlet: Outlet) {
    this.registry = registry;
    this.outlet = outlet;
  }

  #next<U>(
    attach: (emit: Outlet['emit']) => (record: StreamRecord<T>, scope: Parameters<Outlet['emit']>[1]) => void,
  ): Stream<U> {
    const outlet = new Outlet();
    this.outlet.sinks.push(attach(outlet.emit) as Outlet['sinks'][number]);
    return new Stream<U>(this.registry, outlet);
  }

  /** Keeps the values for which `predicate` returns true. */
  filter(predicate: Condition<T>): Stream<T> {
    return this.#next((emit) => (record, scope) => {
      if (predicate(record.value, record)) emit(record, scope);
    });
  }

  /** Replaces each value by `fn(value)`. */
  map<U>(fn: (value: T, meta: RecordMeta) => U): Stream<U> {
    return this.#next(
      (emit) => (record, scope) => emit({ ...record, value: fn(record.value, record) }, scope),
    );
  }

  /** Replaces each value by any number of values. */
  flatMap<U>(fn: (value: T, meta: RecordMeta) => Iterable<U>): Stream<U> {
    return this.#next((emit) => (record, scope) => {
      for (const value of fn(record.value, record)) emit({ ...record, value }, scope);
    });
  }

  /**
   * Re-keys the stream: the key decides which state `aggregate`, `window` and `detect` use and is
   * the partition key `to` publishes with. State of one key is updated by one consumer at a time
   * within this pipeline; to spread keys over several processes, publish with `to` and read the
   * new topic from another pipeline, so the transport partitions by the new key.
   */
  keyBy(fn: (value: T, meta: RecordMeta) => string): Stream<T> {
    return this.#next((emit) => (record, scope) => emit({ ...record, key: fn(record.value, record) }, scope));
  }

  /**
   * Routes each value to the first branch whose predicate holds; values no branch takes are dropped
   * (add a last branch `() => true` to keep them).
   */
  branch<K extends string>(routes: Readonly<Record<K, Condition<T>>>): Record<K, Stream<T>> {
    const names = Object.keys(routes) as K[];
    if (names.length === 0)
      throw new InvalidPipelineError('branch needs at least one route, e.g. { big: (v) => v.total > 100 }.');
    const outlets = names.map(() => new Outlet());
    this.outlet.sinks.push((record, scope) => {
      const typed = record as StreamRecord<T>;
      const index = names.findIndex((name) => routes[name](typed.value, typed));
      if (index >= 0) outlets[index]!.emit(record, scope);
    });
    return Object.fromEntries(
      names.map((name, i) => [name, new Stream<T>(this.registry, outlets[i]!)]),
    ) as Record<K, Stream<T>>;
  }

  /** One stream with the values of this one and of `others`, in the order they arrive. */
  merge<U>(...others: readonly Stream<U>[]): Stream<T | U> {
    const outlet = new Outlet();
    for (const stream of [this as Stream<unknown>, ...(others as readonly Stream<unknown>[])]) {
      if (stream.registry !== this.registry) {
        throw new InvalidPipelineError(
          'merge joins streams of one pipeline; to join another pipeline, publish with to() and read that type with from().',
        );
      }
      stream.outlet.sinks.push(outlet.emit);
    }
    return new Stream<T | U>(this.registry, outlet);
  }

  /**
   * A running aggregation per key (no window): emits `{ key, value }` with the new result after each
   * value. Records without a key share the key `""`.
   */
  aggregate<A, R>(aggregation: Aggregation<T, A, R>, options: AggregateOptions = {}): Stream<KeyedResult<R>> {
    const outlet = new Outlet();
    this.outlet.sinks.push(
      aggregateStage(this.registry, aggregation, options.name, outlet.emit) as Outlet['sinks'][number],
    );
    return new Stream<KeyedResult<R>>(this.registry, outlet);
  }

  /**
   * Aggregates per key and event-time window (see `tumbling`, `hopping`, `sliding`, `session`).
   * Results come out when the watermark passes a window's end (`emit: 'close'`), or after every
   * value too (`emit: 'update'`). Values for windows already purged go to `.late`.
   */
  window<A, R>(spec: WindowSpec, options: WindowOptions<T, A, R>): WindowedStream<T, R> {
    const results = new Outlet();
    const late = new Outlet();
    this.outlet.sinks.push(
      windowStage(this.registry, spec, options, results.emit, late.emit) as Outlet['sinks'][number],
    );
    return new WindowedStream<T, R>(this.registry, results, new Stream<T>(this.registry, late));
  }

  /**
   * Joins each value with the row of its key in `table` (see `pipeline.table`, `lookupTable`).
   * An inner join (default) drops values whose key has no row; `{ kind: 'left' }` keeps them and
   * passes `undefined` as the row.
   */
  join<Row, U>(
    table: Table<Row>,
    joiner: (value: T, row: Row, meta: RecordMeta) => U,
    options?: JoinOptions<T> & { readonly kind?: 'inner' },
  ): Stream<U>;
  join<Row, U>(
    table: Table<Row>,
    joiner: (value: T, row: Row | undefined, meta: RecordMeta) => U,
    options: JoinOptions<T> & { readonly kind: 'left' },
  ): Stream<U>;
  join<Row, U>(
    table: Table<Row>,
    joiner: (value: T, row: Row, meta: RecordMeta) => U,
    options: JoinOptions<T> = {},
  ): Stream<U> {
    if (typeof table?.lookup !== 'function') {
      throw new InvalidPipelineError(
        'join needs a table from pipeline.table(type) or lookupTable(name, get), e.g. stream.join(accounts, (e, row) => ...).',
      );
    }
    const outlet = new Outlet();
    this.outlet.sinks.push(
      joinStage(
        table,
        joiner as (value: T, row: Row | undefined, meta: RecordMeta) => U,
        options,
        outlet.emit,
      ) as Outlet['sinks'][number],
    );
    return new Stream<U>(this.registry, outlet);
  }

  /** Detects a complex event pattern per key (see `sequence`, `absence`, `repetition`). */
  detect(pattern: EventPattern<T>): Stream<PatternMatch<T>> {
    const outlet = new Outlet();
    this.outlet.sinks.push(patternStage(this.registry, pattern, outlet.emit) as Outlet['sinks'][number]);
    return new Stream<PatternMatch<T>>(this.registry, outlet);
  }

  /**
   * Publishes each value as the data of an event of `type` (on the bus's topic for it), keyed by the
   * record's key. The event's correlation id is the input's, its causation id the input event's id
   * (for pattern matches, the extension `causationids` lists every event of the match). Event ids
   * are derived from the inputs, so a redelivered input republishes the same ids.
   */
  to(type: string, options: ToOptions<T> = {}): this {
    if (typeof type !== 'string' || type.length === 0) {
      throw new InvalidPipelineError('to(type) needs an event type, e.g. to("order.flagged").');
    }
    this.registry.addOutput(type);
    const stage = this.registry.nextName('to');
    const { pipelineName } = this.registry;
    this.outlet.sinks.push((record, scope) => {
      const typed = record as StreamRecord<T>;
      const key = options.key === undefined ? typed.key : options.key(typed.value, typed);
      const causes = typed.causationIds;
      scope.output({
        id:
          typed.resultId === undefined
            ? outputId([pipelineName, stage, typed.eventId, scope.seq(stage)])
            : outputId([pipelineName, stage, typed.resultId]),
        type,
        data: typed.value,
        ...(key === undefined ? {} : { key }),
        time: new Date(typed.time).toISOString(),
        correlationId: typed.correlationId,
        causationId: typed.eventId,
        ...(causes === undefined || causes.length < 2
          ? {}
          : { extensions: { causationids: causes.join(',') } }),
      });
    });
    return this;
  }
}

/** The results of a window stage, plus the side output of late values. */
export class WindowedStream<T, R> extends Stream<WindowResult<R>> {
  /** Values that arrived after their windows were purged (later than `allowedLatenessMs`). */
  readonly late: Stream<T>;

  /** @internal */
  constructor(registry: StageRegistry, outlet: Outlet, late: Stream<T>) {
    super(registry, outlet);
    this.late = late;
  }
}
