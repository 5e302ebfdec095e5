import type { Logger } from '../observability/logger.js';
import type { ReceivedMessage } from '../transport/message.js';
import type { BusEvent, HandlerContext } from './handler-types.js';

/** What a batch handler gets besides the events. */
export interface BatchContext<TEvent extends BusEvent = BusEvent> {
  /** Aborted when the bus stops past its deadline. Pass it on to I/O. */
  readonly signal: AbortSignal;
  readonly handlerName: string;
  readonly group: string;
  readonly logger: Logger;
  /**
   * Marks one event of the batch as failed. Only that event goes through retry and, in the end,
   * the dead-letter queue; the others are acknowledged. Throwing from the handler fails them all.
   */
  fail(event: TEvent, error: unknown): void;
  /** The transport message `event` was decoded from (its topic, partition, offset, delivery count). */
  message(event: TEvent): ReceivedMessage | undefined;
}

/** A handler for batches: resolve to acknowledge every event not marked with `ctx.fail`. */
export type BatchHandler<TEvent extends BusEvent = BusEvent> = (
  events: readonly TEvent[],
  ctx: BatchContext<TEvent>,
) => Promise<void> | void;

export interface BatchCollectorSettings {
  readonly maxSize: number;
  readonly maxWaitMs: number;
  /** Whether each new event restarts the wait (a debounce) instead of the first one starting it. */
  readonly restartWaitOnEvent: boolean;
  readonly handler: BatchHandler;
  readonly handlerName: string;
  readonly group: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

interface Item {
  readonly event: BusEvent;
  readonly ctx: HandlerContext;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Gathers events delivered one by one into batches. Each event's delivery waits (inside the bus's
 * per-event pipeline: retry, dead-letter, dedup) until the batch it joined has run, then succeeds
 * or fails on its own, so a failed item is retried and dead-lettered alone.
 *
 * A batch closes when it holds `maxSize` events or `maxWaitMs` after its first event (or its
 * latest, with `restartWaitOnEvent`). One batch runs at a time; the next one fills meanwhile.
 */
export class BatchCollector {
  readonly #settings: BatchCollectorSettings;
  #open: Item[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** A closed batch waiting for the running one to finish. */
  #closedWhileRunning = false;

  constructor(settings: BatchCollectorSettings) {
    this.#settings = settings;
  }

  /** Adds one delivered event; settles when its batch has run and says how this event fared. */
  add(event: BusEvent, ctx: HandlerContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#open.push({ event, ctx, resolve, reject });
      if (this.#open.length >= this.#settings.maxSize) this.#close();
      else if (this.#timer === undefined || this.#settings.restartWaitOnEvent) this.#arm();
    });
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#close(), this.#settings.maxWaitMs);
  }

  #close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running !== undefined) {
      this.#closedWhileRunning = true;
      return;
    }
    const items = this.#open.splice(0, this.#settings.maxSize);
    if (items.length === 0) return;
    this.#running = this.#run(items).finally(() => {
      this.#running = undefined;
      const full = this.#open.length >= this.#settings.maxSize;
      if (this.#closedWhileRunning || full) {
        this.#closedWhileRunning = false;
        this.#close();
      } else if (this.#open.length > 0) this.#arm();
    });
  }

  async #run(batch: Item[]): Promise<void> {
    // An event whose attempt already ended (its timeout fired while it waited) is not handed over.
    const items = batch.filter((item) => !item.ctx.signal.aborted);
    const failures = new Map<BusEvent, unknown>();
    const messages = new Map(items.map((item) => [item.event, item.ctx.message]));
    const { handler, handlerName, group, logger, signal } = this.#settings;
    const ctx: BatchContext = {
      signal,
      handlerName,
      group,
      logger,
      fail(event, error) {
        failures.set(event, error);
      },
      message: (event) => messages.get(event),
    };
    try {
      await handler(
        items.map((item) => item.event),
        ctx,
      );
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    for (const item of items) {
      if (failures.has(item.event)) item.reject(failures.get(item.event));
      else item.resolve();
    }
  }
}
