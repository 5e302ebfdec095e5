import type {
  Bus,
  BusEvent,
  ConsumerDefaults,
  EventTypes,
  Logger,
  ReceivedMessage,
  StartPosition,
} from '@eddy/core';
import { assertGroupName, silentLogger } from '@eddy/core/internal';
import { Processor, type PipelineStats, type StageStatus } from './engine/processor.js';
import { Outlet, type StageRegistry, type StatefulStage } from './engine/stage.js';
import { stateKeys } from './engine/state-keys.js';
import { InvalidPipelineError } from './errors.js';
import { createMemoryStateStore } from './memory/memory-state-store.js';
import type { StreamRecord } from './record.js';
import type { StateStore } from './state-store.js';
import { Stream } from './stream.js';
import type { Table } from './tables/table.js';

/** Options of `pipeline(bus, options)`. */
export interface PipelineOptions {
  /**
   * Pipeline name: names its consumer groups (`<bus group>.<name>.<type>`) and its state namespace.
   * Letters, digits, `.`, `_` and `-`.
   */
  readonly name: string;
  /**
   * Where state, consumed inputs and pending outputs live. Default an in-memory store: state is
   * lost when the process ends. Pass a durable one (e.g. `createSqliteStateStore`) for stateful stages.
   */
  readonly store?: StateStore;
  /** Most input events per unit of work (one state commit). Default 500. */
  readonly batchSize?: number;
  /** How long a unit waits for more events after its first, ms. Default 0: what arrived meanwhile. */
  readonly batchWaitMs?: number;
  /** Where the consumer groups start the first time. Default `'earliest'`. */
  readonly from?: StartPosition;
  /** Retry, dead-letter, timeout and flow settings of the pipeline's consumers (bus defaults otherwise). */
  readonly consumer?: ConsumerDefaults;
  /** Pino-compatible logger. Default silent. */
  readonly logger?: Logger;
}

/** Options of `pipeline.table`. */
export interface TableOptions<TEvent, Row> {
  /** Stage name, the prefix of the rows' state keys: keep it when the pipeline changes. Default `table-<n>`. */
  readonly name?: string;
  /** The row's key. Default the event's partition key; events without a key are skipped. */
  readonly key?: (event: TEvent) => string | undefined;
  /** The row. Default the event's data; `undefined` deletes the key's row (a tombstone). */
  readonly row?: (event: TEvent) => Row | undefined;
}

/** The union of bus events of the given types. */
export type EventsOf<Events, Types extends EventTypes<Events>> = {
  [K in Types]: BusEvent<K, Events[K]>;
}[Types];

/** A stream processing pipeline on a bus. */
export interface Pipeline<Events> {
  readonly name: string;
  /**
   * A stream of the events of `types`, read through the bus as durable consumer groups (one per
   * type). The values are the events themselves; their key is the partition key, their time the
   * CloudEvent `time`.
   */
  from<Types extends EventTypes<Events>>(...types: Types[]): Stream<EventsOf<Events, Types>>;
  /**
   * A table of the latest row per key, read from the events of `type` (a consumer group of its own,
   * like `from`). Rows are state of this pipeline: committed with the rest and loaded on restart.
   * Join a stream with it (`stream.join(table, ...)`): a value sees the rows of the table events
   * processed before it; the two topics are not aligned by event time.
   */
  table<Type extends EventTypes<Events>, Row = Events[Type]>(
    type: Type,
    options?: TableOptions<BusEvent<Type, Events[Type]>, Row>,
  ): Table<Row>;
  /**
   * Loads the state, publishes outputs an earlier run committed but may not have published, and
   * registers the consumers with the bus (they subscribe with `bus.start()`, or at once if the bus
   * runs). Define every stage before.
   */
  start(): Promise<void>;
  /** Stops the pipeline's timers and waits for the unit of work in progress; stop the bus for the consumers. */
  stop(): Promise<void>;
  stats(): PipelineStats;
  /** Counters, per-stage state and the consumer groups it reads: what `eddy pipelines` shows. */
  status(): PipelineStatus;
}

/** One event type a pipeline reads, and the consumer group it reads it with. */
export interface PipelineSource {
  readonly type: string;
  readonly topic: string;
  readonly group: string;
}

/** A pipeline's state as status pages show it. */
export interface PipelineStatus {
  readonly name: string;
  /** Whether `start()` ran and `stop()` did not. */
  readonly running: boolean;
  readonly stats: PipelineStats;
  readonly stages: readonly StageStatus[];
  /** Empty until `start()` registered the consumers. */
  readonly sources: readonly PipelineSource[];
}

const DEFAULT_BATCH_SIZE = 500;
// Most outputs in one publishBatch: keeps a transport call within the size brokers accept.
const PUBLISH_CHUNK = 1_000;
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Creates a pipeline on `bus`:
 *
 * ```ts
 * const flagged = pipeline(bus, { name: 'fraud' });
 * flagged.from('payment.made').filter((e) => e.data.amount > 1_000).to('payment.flagged');
 * await flagged.start();
 * ```
 */
export function pipeline<Events>(bus: Bus<Events>, options: PipelineOptions): Pipeline<Events> {
  const name = options?.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidPipelineError(
      `A pipeline needs a name of 1-100 letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}.`,
    );
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new InvalidPipelineError(
      `Pipeline "${name}": batchSize must be 1 to 10 000, got ${String(batchSize)}.`,
    );
  }
  const store = options.store ?? createMemoryStateStore();
  const logger = options.logger ?? silentLogger;
  const sources = new Map<string, Outlet>();
  const stages = new Map<string, StatefulStage>();
  const kinds = new Map<string, number>();
  let processor: Processor | undefined;
  let running = false;
  const registered: PipelineSource[] = [];

  const registry: StageRegistry = {
    pipelineName: name,
    addStateful(stage) {
      if (processor !== undefined)
        throw new InvalidPipelineError(`Pipeline "${name}" is running: define stages before start().`);
      if (!NAME.test(stage.name)) {
        throw new InvalidPipelineError(
          `Stage name ${JSON.stringify(stage.name)} must be 1-100 letters, digits, '.', '_' or '-'.`,
        );
      }
      if (stages.has(stage.name)) {
        throw new InvalidPipelineError(
          `Pipeline "${name}" has two stages named "${stage.name}": give each a name of its own.`,
        );
      }
      stages.set(stage.name, stage);
      return `${stage.name}|`;
    },
    nextName(kind) {
      const n = (kinds.get(kind) ?? 0) + 1;
      kinds.set(kind, n);
      return `${kind}-${n}`;
    },
    addOutput: () => undefined,
  };

  const run = (
    event: BusEvent,
    message: ReceivedMessage | undefined,
    scope: Parameters<Outlet['emit']>[1],
  ): void => {
    const outlet = sources.get(event.type);
    if (outlet === undefined) return;
    const parsed = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
    const record: StreamRecord<unknown> = {
      value: event,
      key: typeof event.partitionkey === 'string' ? event.partitionkey : undefined,
      time: Number.isFinite(parsed) ? parsed : (message?.publishedAt ?? Date.now()),
      eventId: event.id,
      correlationId: typeof event.correlationid === 'string' ? event.correlationid : event.id,
    };
    outlet.emit(record, scope);
  };

  const publisher = bus as unknown as Bus<Record<string, unknown>>;
  const stats = (): PipelineStats =>
    processor?.stats ?? { processed: 0, duplicates: 0, failed: 0, published: 0, stateEntries: 0, late: 0 };

  const from = <Types extends EventTypes<Events>>(...types: Types[]): Stream<EventsOf<Events, Types>> => {
    if (types.length === 0)
      throw new InvalidPipelineError(`Pipeline "${name}": from() needs at least one event type.`);
    const outlet = new Outlet();
    for (const type of types) {
      if (sources.has(type)) {
        throw new InvalidPipelineError(
          `Pipeline "${name}" already reads "${type}": read it once and branch or map it.`,
        );
      }
      assertGroupName(`${name}.${type}`);
      sources.set(type, outlet);
    }
    return new Stream<EventsOf<Events, Types>>(registry, outlet);
  };

  return {
    name,
    from,

    table<Type extends EventTypes<Events>, Row = Events[Type]>(
      type: Type,
      tableOptions: TableOptions<BusEvent<Type, Events[Type]>, Row> = {},
    ): Table<Row> {
      const source = from(type);
      const tableName = tableOptions.name ?? registry.nextName('table');
      const rowKeyOf = stateKeys(registry.addStateful({ name: tableName, restore: () => undefined }));
      source.outlet.sinks.push((record, scope) => {
        const event = record.value as BusEvent<Type, Events[Type]>;
        const key = tableOptions.key === undefined ? record.key : tableOptions.key(event);
        if (key === undefined) return;
        const row = tableOptions.row === undefined ? (event.data as unknown as Row) : tableOptions.row(event);
        if (row === undefined) scope.delete(rowKeyOf(key));
        else scope.set(rowKeyOf(key), row);
      });
      return { name: tableName, lookup: (key, scope) => scope.get(rowKeyOf(key)) as Row | undefined };
    },

    async start() {
      if (processor !== undefined) throw new InvalidPipelineError(`Pipeline "${name}" was started already.`);
      if (sources.size === 0)
        throw new InvalidPipelineError(`Pipeline "${name}" reads nothing: call from(type) first.`);
      const started = new Processor({
        namespace: name,
        store,
        stages: [...stages.values()],
        logger,
        run,
        publish: async (outputs) => {
          // A unit's outputs go in as few transport calls as the bus can make of them.
          for (let from = 0; from < outputs.length; from += PUBLISH_CHUNK) {
            await publisher.publishBatch(
              outputs.slice(from, from + PUBLISH_CHUNK).map((output) => ({
                type: output.type,
                data: output.data,
                options: {
                  id: output.id,
                  ...(output.key === undefined ? {} : { key: output.key }),
                  ...(output.time === undefined ? {} : { time: output.time }),
                  ...(output.correlationId === undefined ? {} : { correlationId: output.correlationId }),
                  ...(output.causationId === undefined ? {} : { causationId: output.causationId }),
                  ...(output.extensions === undefined ? {} : { extensions: output.extensions }),
                },
              })),
            );
          }
        },
      });
      processor = started;
      await started.load();
      for (const type of sources.keys()) {
        const handler = publisher.onBatch(type, (events, ctx) => started.process(events, ctx), {
          ...options.consumer,
          name: `${name}.${type}`,
          from: options.from ?? 'earliest',
          maxSize: batchSize,
          maxWaitMs: options.batchWaitMs ?? 0,
        });
        registered.push({ type, topic: handler.topic, group: handler.group });
      }
      running = true;
    },

    async stop() {
      running = false;
      await processor?.stop();
    },

    stats,

    status() {
      return {
        name,
        running,
        stats: stats(),
        stages: processor?.stages() ?? [],
        sources: [...registered],
      };
    },
  };
}
