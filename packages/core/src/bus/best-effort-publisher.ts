import { ErrorCodes } from '../errors/codes.js';
import { isEddyError } from '../errors/eddy-error.js';
import type { Logger } from '../observability/logger.js';
import type { BusMetrics, DropReason } from '../observability/metrics.js';
import type { PublishOptions, PublishResult } from './bus-types.js';

type Publish = (type: string, data: unknown, options: PublishOptions) => Promise<PublishResult>;

/** Default `BusOptions.maxPendingEmits`. */
export const DEFAULT_MAX_PENDING_EMITS = 10_000;

/**
 * `bus.emit`: publishes without the caller waiting or ever seeing an error. What cannot be
 * published is dropped, counted by reason and logged; the number in flight is bounded so a
 * backend outage costs memory up to `maxPending` events, not without limit.
 */
export class BestEffortPublisher {
  readonly #publish: Publish;
  readonly #metrics: BusMetrics;
  readonly #logger: Logger;
  readonly #maxPending: number;
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(publish: Publish, metrics: BusMetrics, logger: Logger, maxPending: number) {
    this.#publish = publish;
    this.#metrics = metrics;
    this.#logger = logger;
    this.#maxPending = maxPending;
  }

  emit(type: string, data: unknown, options: PublishOptions): void {
    if (this.#closed) return this.#drop(type, 'closed', undefined);
    if (this.#pending.size >= this.#maxPending) return this.#drop(type, 'overflow', undefined);
    let publishing: Promise<PublishResult>;
    try {
      publishing = this.#publish(type, data, options);
    } catch (error) {
      return this.#drop(type, 'invalid', error);
    }
    const settled: Promise<void> = publishing.then(
      () => undefined,
      (error: unknown) => this.#drop(type, isInvalidInput(error) ? 'invalid' : 'failed', error),
    );
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
  }

  /** Emits still in flight. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Refuses new emits and waits for those in flight, at most `deadlineMs`. */
  async close(deadlineMs: number): Promise<void> {
    this.#closed = true;
    if (this.#pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.allSettled([...this.#pending]), deadline]);
    clearTimeout(timer);
  }

  #drop(type: string, reason: DropReason, error: unknown): void {
    this.#metrics.dropped?.({ type, reason });
    this.#logger.warn({ type, reason, err: error }, 'best-effort event dropped');
  }
}

// Input errors (a bad name, an oversize payload) would fail on every retry: say so apart from
// backend failures, which are worth an alert of their own.
const INPUT_ERRORS: ReadonlySet<string> = new Set([
  ErrorCodes.InvalidTopic,
  ErrorCodes.InvalidOption,
  ErrorCodes.InvalidHeader,
  ErrorCodes.InvalidCloudEvent,
  ErrorCodes.MessageTooLarge,
]);

function isInvalidInput(error: unknown): boolean {
  return isEddyError(error) && INPUT_ERRORS.has(error.code);
}
