import { CancelledError, InvalidOptionError } from '../errors/errors.js';
import type { ReceivedMessage } from '../transport/message.js';
import type { Subscription } from '../transport/transport.js';
import type { ProgressValue } from './handler-types.js';

/** A running delivery of a long-running handler, as `bus.inflight()` lists it. */
export interface InflightDelivery {
  readonly handler: string;
  /** The event's id: what `bus.cancel` takes. */
  readonly eventId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly deliveryCount: number;
  /** When the handler started on this delivery, epoch ms. */
  readonly startedAt: number;
  /** The last `ctx.progress` value, if any. */
  readonly progress: ProgressValue | undefined;
  /** Until when the last `ctx.extendLease` keeps the delivery, epoch ms; undefined before any. */
  readonly leaseUntil: number | undefined;
}

/** Largest `ctx.extendLease` in one call: a day. Longer work extends again as it goes. */
export const MAX_LEASE_EXTENSION_MS = 86_400_000;

const refuse = (): never => {
  throw new InvalidOptionError(
    'ctx.extendLease() and ctx.progress() need a handler registered with { longRunning: true }.',
  );
};

/** The calls of a handler that is not long-running: they refuse, at no cost per delivery. */
export const NOT_LONG_RUNNING = {
  extendLease: (): Promise<void> => Promise.resolve().then(refuse),
  progress: refuse as (value: ProgressValue) => void,
} as const;

/** One running delivery: its own abort controller (for `bus.cancel`) and what it reported. */
export class RunningDelivery implements InflightDelivery {
  readonly handler: string;
  readonly eventId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly deliveryCount: number;
  readonly startedAt = Date.now();
  progress: ProgressValue | undefined = undefined;
  leaseUntil: number | undefined = undefined;
  readonly #controller = new AbortController();
  readonly #shutdown: AbortSignal;
  readonly #onShutdown = (): void => this.#controller.abort(this.#shutdown.reason);
  readonly #message: ReceivedMessage;
  readonly #subscription: () => Promise<Subscription | undefined>;

  constructor(
    handler: string,
    eventId: string,
    message: ReceivedMessage,
    shutdown: AbortSignal,
    subscription: () => Promise<Subscription | undefined>,
  ) {
    this.handler = handler;
    this.eventId = eventId;
    this.topic = message.topic;
    this.partition = message.partition;
    this.offset = message.offset;
    this.deliveryCount = message.deliveryCount;
    this.#message = message;
    this.#subscription = subscription;
    this.#shutdown = shutdown;
    if (shutdown.aborted) this.#onShutdown();
    else shutdown.addEventListener('abort', this.#onShutdown, { once: true });
  }

  /** Aborted on a shutdown past its deadline and on `cancel`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  readonly extendLease = async (ms: number): Promise<void> => {
    if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_LEASE_EXTENSION_MS) {
      throw new InvalidOptionError(
        `ctx.extendLease takes a number of ms from 1 to ${MAX_LEASE_EXTENSION_MS}, got ${ms}.`,
      );
    }
    this.leaseUntil = Date.now() + ms;
    // `leaseExtension` was checked when the handler was registered; a lane that failed to
    // subscribe delivers nothing, so there is nothing to extend then.
    const subscription = await this.#subscription();
    await subscription?.extendLease?.(this.#message, ms);
  };

  readonly report = (value: ProgressValue): void => {
    this.progress = value;
  };

  cancel(reason: string | undefined): void {
    this.#controller.abort(
      new CancelledError(
        `Delivery of event "${this.eventId}" to handler "${this.handler}" was cancelled${reason === undefined ? '' : `: ${reason}`}. Redrive it from the dead-letter queue to run it again.`,
      ),
    );
  }

  /** Detaches from the consumer's shutdown signal once the delivery is settled. */
  finish(): void {
    this.#shutdown.removeEventListener('abort', this.#onShutdown);
  }

  snapshot(): InflightDelivery {
    return {
      handler: this.handler,
      eventId: this.eventId,
      topic: this.topic,
      partition: this.partition,
      offset: this.offset,
      deliveryCount: this.deliveryCount,
      startedAt: this.startedAt,
      progress: this.progress,
      leaseUntil: this.leaseUntil,
    };
  }
}

/** The running deliveries of a bus's long-running handlers. */
export class RunningDeliveries {
  readonly #running = new Set<RunningDelivery>();

  add(delivery: RunningDelivery): void {
    this.#running.add(delivery);
  }

  delete(delivery: RunningDelivery): void {
    delivery.finish();
    this.#running.delete(delivery);
  }

  list(): InflightDelivery[] {
    return [...this.#running].map((delivery) => delivery.snapshot());
  }

  /** Cancels every running delivery of `eventId` (one per handler that runs it); returns how many. */
  cancel(eventId: string, reason?: string): number {
    let count = 0;
    for (const delivery of this.#running) {
      if (delivery.eventId !== eventId) continue;
      delivery.cancel(reason);
      count += 1;
    }
    return count;
  }
}
