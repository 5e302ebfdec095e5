import type { ReceivedMessage } from './message.js';
import type { BatchMessageHandler } from './transport.js';

/** What a batch subscription (`subscribeBatch`) hands its messages to. */
export interface BatchTarget {
  readonly handler: BatchMessageHandler;
  /** Most messages in one call of the handler (`resolveMaxBatchSize`). */
  readonly maxBatchSize: number;
}

/** How a transport's batch subscription hands its deliveries to a `DeliveryBatcher`. */
export interface DeliveryBatcherOptions<D> extends BatchTarget {
  /**
   * The message a delivery hands the handler, or undefined to settle it as acknowledged without
   * handing it over (a message replaced by a later one of its dedupe key while it waited).
   */
  readonly messageOf: (delivery: D) => ReceivedMessage | undefined;
  /** Settles one delivery: acknowledged when `failure` is undefined, else nacked with its error. */
  readonly settle: (delivery: D, failure: { readonly error: unknown } | undefined) => void;
  /**
   * When a call collects what was added so far. Default `queueMicrotask`: what one synchronous
   * run of the transport starts (the rows of a fetch, the next messages a settle frees) goes over
   * together. A transport whose messages arrive a few microtasks apart (an async iterator) passes
   * `setImmediate`.
   */
  readonly schedule?: (flush: () => void) => void;
}

/**
 * The one copy of batch delivery every transport's `subscribeBatch` shares: a transport starts its
 * deliveries one by one, exactly as `subscribe` does (so `maxInFlight`, per-key order and leases
 * are counted per message by its own machinery), and adds each here instead of calling a handler;
 * what was added before the scheduled flush reaches the batch handler in calls of at most
 * `maxBatchSize`, and each delivery is then settled on its own.
 */
export class DeliveryBatcher<D> {
  readonly #options: DeliveryBatcherOptions<D>;
  readonly #schedule: (flush: () => void) => void;
  readonly #flush = (): void => this.flush();
  #open: D[] = [];

  constructor(options: DeliveryBatcherOptions<D>) {
    this.#options = options;
    this.#schedule = options.schedule ?? queueMicrotask;
  }

  /** Deliveries added and not yet handed to the handler. */
  get pending(): number {
    return this.#open.length;
  }

  /** Takes a started delivery; it goes to the handler with the others of its run. */
  add(delivery: D): void {
    this.#open.push(delivery);
    if (this.#open.length === 1) this.#schedule(this.#flush);
  }

  /** Hands what was added so far to the handler now (the scheduled flush then finds nothing). */
  flush(): void {
    const open = this.#open;
    if (open.length === 0) return;
    this.#open = [];
    const { maxBatchSize } = this.#options;
    for (let from = 0; from < open.length; from += maxBatchSize) {
      void this.#run(
        from === 0 && open.length <= maxBatchSize ? open : open.slice(from, from + maxBatchSize),
      );
    }
  }

  async #run(deliveries: readonly D[]): Promise<void> {
    const { handler, messageOf, settle } = this.#options;
    const messages: ReceivedMessage[] = [];
    const handed: (ReceivedMessage | undefined)[] = [];
    for (const delivery of deliveries) {
      const message = messageOf(delivery);
      handed.push(message);
      if (message !== undefined) messages.push(message);
    }
    let thrown: { error: unknown } | undefined;
    let failed: ReadonlyMap<ReceivedMessage, unknown> | undefined;
    try {
      if (messages.length > 0) failed = (await handler(messages))?.failed;
    } catch (error) {
      thrown = { error };
    }
    for (let i = 0; i < deliveries.length; i++) {
      const message = handed[i];
      let failure: { error: unknown } | undefined;
      if (message !== undefined) {
        failure = thrown ?? (failed?.has(message) === true ? { error: failed.get(message) } : undefined);
      }
      settle(deliveries[i]!, failure);
    }
  }
}
