import type { BatchContext, BusEvent, Logger, ReceivedMessage } from '@eddy/core';
import type { ConsumedInput, PendingOutput, StateStore } from '../state-store.js';
import { inputKey } from './input-key.js';
import { Scope, type StateTable } from './scope.js';
import type { StatefulStage } from './stage.js';

/** Publishes output events, in order; resolves once the transport made them all durable. */
export type OutputPublisher = (outputs: readonly PendingOutput[]) => Promise<unknown>;

export interface ProcessorSettings {
  readonly namespace: string;
  readonly store: StateStore;
  readonly stages: readonly StatefulStage[];
  readonly publish: OutputPublisher;
  readonly logger: Logger;
  /** Runs one input event through the pipeline's stages, into `scope`. */
  readonly run: (event: BusEvent, message: ReceivedMessage | undefined, scope: Scope) => void;
}

/** Counters a pipeline keeps while it runs. */
export interface PipelineStats {
  /** Input events processed and committed. */
  readonly processed: number;
  /** Redelivered input events skipped because a commit already consumed them. */
  readonly duplicates: number;
  /** Input events whose processing threw (each is retried, then dead-lettered, by the bus). */
  readonly failed: number;
  /** Output events published. */
  readonly published: number;
  /** State entries held (windows, accumulators, partial matches, watermarks, table rows). */
  readonly stateEntries: number;
  /** Values window stages sent to their late outputs. */
  readonly late: number;
}

/** What one stateful stage holds. */
export interface StageStatus {
  readonly name: string;
  /** State entries of the stage (windows, accumulators, partial matches, table rows). */
  readonly entries: number;
  /** The stage's event-time watermark, epoch ms (windows and patterns, once they saw a value). */
  readonly watermark?: number;
  /** Values sent to the late output (windows). */
  readonly late: number;
}

/**
 * Runs a pipeline's units of work: a batch of input events, or a clock tick. Each unit reads the
 * in-memory state table, and its changes, consumed inputs and outputs go to the store in one
 * commit; only then do they reach the table and are the outputs published. A unit that throws
 * leaves nothing behind.
 *
 * Units run their stages one at a time, and commit one at a time in the same order, but a unit may
 * run its stages while the commit of the one before is still in flight (a store that commits off
 * the event loop: a worker thread, a database server). It then reads that unit's changes before the
 * table's. If a commit fails, the units that read its changes fail with it, uncommitted, and the
 * stages go back to the table's state.
 */
export class Processor {
  readonly #settings: ProcessorSettings;
  readonly #table: StateTable = new Map();
  /** Outputs committed but not known to be published (a publish failed, or the last run crashed). */
  #unpublished: PendingOutput[] = [];
  /**
   * Ids of outputs published but not yet marked so in the store. The next commit marks them, so a
   * unit of work costs one store transaction; a crash before it republishes them, with their ids.
   */
  #published: string[] = [];
  /** Units running their stages, one at a time. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Commits, one at a time, in the order their units ran. */
  #commits: Promise<unknown> = Promise.resolve();
  /** Units that ran their stages and whose commit has not finished, oldest first. */
  #pending: Scope[] = [];
  /** Input keys (positions) of the pending units. */
  readonly #pendingInputs = new Set<string>();
  /** Bumped when a commit fails: pending units of an older generation fail without committing. */
  #generation = 0;
  /** Why the last generation ended: what its pending units fail with. */
  #generationFailure: unknown;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #stats = { processed: 0, duplicates: 0, failed: 0, published: 0 };

  constructor(settings: ProcessorSettings) {
    this.#settings = settings;
  }

  get stats(): PipelineStats {
    let late = 0;
    for (const stage of this.#settings.stages) late += stage.late?.() ?? 0;
    return { ...this.#stats, stateEntries: this.#table.size, late };
  }

  /** Per stage: its entries, watermark and late values (counts the state table: for status pages). */
  stages(): StageStatus[] {
    const counts = new Map<string, number>();
    for (const key of this.#table.keys()) {
      const stage = key.slice(0, key.indexOf('|'));
      counts.set(stage, (counts.get(stage) ?? 0) + 1);
    }
    return this.#settings.stages.map((stage) => {
      const watermark = this.#table.get(`${stage.name}|wm`);
      return {
        name: stage.name,
        entries: counts.get(stage.name) ?? 0,
        ...(typeof watermark === 'number' ? { watermark } : {}),
        late: stage.late?.() ?? 0,
      };
    });
  }

  /** Loads the state, publishes what the last run committed but may not have published, arms the clock. */
  async load(): Promise<void> {
    const { store, namespace, stages } = this.#settings;
    for (const { key, value } of await store.entries(namespace)) this.#table.set(key, value);
    for (const stage of stages) stage.restore(this.#table);
    this.#unpublished = await store.pendingOutputs(namespace);
    await this.#inCommitOrder(async () => {
      await this.#flush();
      await this.#markPublished();
    });
    this.#arm();
  }

  /** Processes a batch of input events (the bus's batch handler); resolves once it is committed. */
  async process(events: readonly BusEvent[], ctx: BatchContext): Promise<void> {
    const { committed } = await this.#serial(async () => {
      const { store, namespace, run } = this.#settings;
      const messages = events.map((event) => ctx.message(event));
      const keys = messages.map((message) => (message === undefined ? undefined : inputKey(message)));
      // Event ids too: stores remembered inputs by event id before they did by position, and a
      // message that such a commit consumed may still be redelivered (those entries expire with
      // the store's input TTL).
      const lookup: string[] = events.map((event) => event.id);
      for (const key of keys) if (key !== undefined) lookup.push(key);
      // A redelivery of an input whose commit is in flight (its ack timed out): whether that
      // commit holds it is known only once it ends. A redelivery keeps its position.
      if (
        this.#pendingInputs.size > 0 &&
        keys.some((key) => key !== undefined && this.#pendingInputs.has(key))
      ) {
        await this.#commits;
      }
      const consumed = await store.consumed(namespace, lookup);
      const batch = new Scope(this.#table, this.#pending.at(-1));
      const inputs: ConsumedInput[] = [];
      let processed = 0;
      let failures = 0;
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        const key = keys[i];
        // Most batches hold no input consumed before: skip hashing two fresh strings per event then.
        if (consumed.size > 0 && ((key !== undefined && consumed.has(key)) || consumed.has(event.id))) {
          this.#stats.duplicates++;
          continue;
        }
        const message = messages[i];
        batch.beginUnit();
        try {
          run(event, message, batch);
        } catch (error) {
          batch.dropUnit();
          failures++;
          ctx.fail(event, error);
          continue;
        }
        batch.endUnit();
        processed++;
        // An event without a position (no transport message) has nothing to be remembered by.
        if (message !== undefined && key !== undefined) {
          inputs.push({ key, topic: message.topic, partition: message.partition, offset: message.offset });
        }
      }
      this.#stats.failed += failures;
      // Stages may have indexed what a failed unit wrote; rebuild their indexes from what stays.
      if (failures > 0) this.#restore(batch);
      return { committed: this.#commit(batch, inputs, processed) };
    });
    await committed;
  }

  /** Stops the clock and waits for the units of work in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#serial(() => this.#inCommitOrder(() => this.#markPublished())).catch((error: unknown) => {
      // Left unmarked, they are published again (same ids) when the pipeline starts.
      this.#settings.logger.warn(
        { pipeline: this.#settings.namespace, err: error },
        'marking outputs failed',
      );
    });
  }

  /** Marks the published outputs in a commit of their own (at start and stop). */
  async #markPublished(): Promise<void> {
    if (this.#published.length === 0) return;
    const ids = this.#published;
    await this.#settings.store.commit(this.#settings.namespace, { published: ids });
    this.#published = this.#published.slice(ids.length);
  }

  /** Runs `work` after the commits asked for before it, and before those asked for after. */
  #inCommitOrder(work: () => Promise<void>): Promise<void> {
    const done = this.#commits.then(work);
    this.#commits = done.catch(() => undefined);
    return done;
  }

  /**
   * Queues the commit of a unit whose stages ran: it starts when the commits before it ended, and
   * resolves once the unit is committed and its outputs published. `processed`: how many inputs it
   * counts as processed.
   */
  #commit(batch: Scope, inputs: readonly ConsumedInput[], processed: number): Promise<void> {
    const generation = this.#generation;
    this.#pending.push(batch);
    for (const input of inputs) this.#pendingInputs.add(input.key);
    return this.#inCommitOrder(async () => {
      let committed = false;
      try {
        // A commit before this one failed after this unit read its changes.
        if (generation !== this.#generation) throw this.#generationFailure;
        // Outputs a failed publish left behind go first, so that outputs keep their order.
        await this.#flush();
        await this.#write(batch, inputs);
        committed = true;
        this.#pending.shift();
        batch.applyTo(this.#table);
        this.#pending[0]?.detach();
        this.#stats.processed += processed;
        this.#unpublished.push(...batch.outputs);
        await this.#flush();
        this.#arm();
      } catch (error) {
        if (!committed && generation === this.#generation) this.#invalidate(error);
        throw error;
      } finally {
        for (const input of inputs) this.#pendingInputs.delete(input.key);
      }
    });
  }

  /** Writes a unit's changes, inputs and outputs, and marks the outputs published before it. */
  async #write(batch: Scope, inputs: readonly ConsumedInput[]): Promise<void> {
    const { store, namespace } = this.#settings;
    const { puts, deletes } = batch.split();
    const published = this.#published;
    if (
      puts.length === 0 &&
      deletes.length === 0 &&
      inputs.length === 0 &&
      batch.outputs.length === 0 &&
      published.length === 0
    ) {
      return;
    }
    await store.commit(namespace, { puts, deletes, inputs, outputs: batch.outputs, published });
    this.#published = this.#published.slice(published.length);
  }

  /** A unit failed before it committed: it and every unit that read its changes are dropped. */
  #invalidate(error: unknown): void {
    this.#generation++;
    this.#generationFailure = error;
    this.#pending = [];
    this.#restore(undefined);
  }

  /** Publishes the outputs still pending, in order; the next commit marks them published. */
  async #flush(): Promise<void> {
    if (this.#unpublished.length === 0) return;
    const outputs = this.#unpublished;
    await this.#settings.publish(outputs);
    this.#unpublished = this.#unpublished.slice(outputs.length);
    this.#stats.published += outputs.length;
    this.#published.push(...outputs.map((output) => output.id));
  }

  /** Rebuilds the stages' indexes from the table, the pending units' changes and `batch`'s. */
  #restore(batch: Scope | undefined): void {
    const entries = new Map(this.#table);
    for (const pending of this.#pending) pending.applyTo(entries);
    batch?.applyTo(entries);
    for (const stage of this.#settings.stages) stage.restore(entries);
  }

  /** Sets one timer for the earliest wall-clock time any stage asked for. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    let next: number | undefined;
    for (const stage of this.#settings.stages) {
      const at = stage.nextWakeAt?.();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    if (next === undefined) return;
    // setTimeout holds at most 2^31-1 ms; a later deadline re-arms when this one fires.
    const delay = Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1);
    this.#timer = setTimeout(() => this.#tick(), delay);
    this.#timer.unref();
  }

  #tick(): void {
    this.#serial(() => {
      const scope = new Scope(this.#table, this.#pending.at(-1));
      const now = Date.now();
      for (const stage of this.#settings.stages) stage.onClock?.(now, scope);
      return Promise.resolve({ committed: this.#commit(scope, [], 0) });
    })
      .then(({ committed }) => committed)
      .catch((error: unknown) => {
        this.#settings.logger.error(
          { pipeline: this.#settings.namespace, err: error },
          'pipeline timer failed; retrying',
        );
        // Nothing was committed: try again shortly.
        if (!this.#stopped) this.#timer = setTimeout(() => this.#tick(), 1_000).unref();
      });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
