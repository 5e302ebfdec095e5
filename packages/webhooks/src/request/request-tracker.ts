import { randomUUID } from 'node:crypto';
import type { Bus } from '@eddy/core';
import type { Logger } from '@eddy/core';
import { InvalidOptionError, silentLogger } from '@eddy/core/internal';
import type { RequestRecord, RequestStore } from '../request-store.js';
import type { RequestCallbacks } from './request-callbacks.js';
import { InvalidCallbackError } from '../errors.js';
import { DEFAULT_REPLY_TYPE, inReplyTo, REPLY_TO, replyError } from './reply-protocol.js';

export interface RequestTrackerOptions {
  readonly bus: Bus<Record<string, unknown>>;
  readonly store: RequestStore;
  /** Event type replies are published as. Default `eddy.reply`. */
  readonly replyType?: string;
  /** Handler name of the reply subscription (its own consumer group). Default `requests.<random id>`. */
  readonly name?: string;
  /** A request with no reply after this long reports `failed` ("timed out"), ms. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** How long a result (or failure) is kept after it arrived, ms. Default 1 hour. */
  readonly resultTtlMs?: number;
  /** Longest `waitMs` a `get` may ask for, ms. Default 30 000. */
  readonly maxWaitMs?: number;
  /**
   * How often expired requests are deleted from the store, ms. Default 60 000. Every tracker
   * sharing the store purges; deleting what another already deleted is harmless.
   */
  readonly purgeIntervalMs?: number;
  /** Where purge failures go (the next interval tries again). Default silent. */
  readonly logger?: Logger;
  /**
   * Sends each settled request's outcome to its `callbackUrl`. Default none: `submit` refuses a
   * callback URL with `EDDY_REQUEST_INVALID_CALLBACK`.
   */
  readonly callbacks?: RequestCallbacks;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** Asynchronous request-reply with durable status: submit, then poll (or long-poll) for the result. */
export interface RequestTracker {
  /**
   * Stores a pending request and publishes its event (id = request id); resolves once both are
   * durable. With `callbackUrl`, the outcome is also POSTed there once it lands (see `callbacks`).
   */
  submit(
    type: string,
    data: unknown,
    options?: { readonly key?: string; readonly callbackUrl?: string },
  ): Promise<RequestRecord>;
  /**
   * The request as it stands. With `waitMs`, a pending request is awaited for up to that long (at
   * most `maxWaitMs`) and returned as soon as it settles. Undefined when unknown or expired.
   */
  get(id: string, options?: { readonly waitMs?: number }): Promise<RequestRecord | undefined>;
  /** Wakes every waiting `get` and stops purging. */
  close(): void;
}

/**
 * The gateway's side of `POST /v1/requests` + `GET /v1/requests/{id}`: requests are events carrying
 * `replyto`; their handlers answer with `replyTo()`; the tracker's reply subscription records each
 * answer in the store (the first wins) and wakes long-polls. Every tracker sees every reply, so any
 * gateway process sharing the store can answer a poll. Register before `bus.start()`.
 */
export function createRequestTracker(options: RequestTrackerOptions): RequestTracker {
  const { bus, store } = options;
  const now = options.now ?? Date.now;
  const replyType = options.replyType ?? DEFAULT_REPLY_TYPE;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const resultTtlMs = options.resultTtlMs ?? 3_600_000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
  const logger = options.logger ?? silentLogger;
  for (const [name, value] of Object.entries({ timeoutMs, resultTtlMs, maxWaitMs, purgeIntervalMs })) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new InvalidOptionError(
        `Request tracker option ${name} must be a number of ms above 0, got ${value}.`,
      );
    }
  }
  const waiters = new Map<string, Set<() => void>>();
  const wake = (id: string): void => {
    const set = waiters.get(id);
    waiters.delete(id);
    for (const resolve of set ?? []) resolve();
  };
  let closed = false;

  // Without a purge the table only grows: expired rows are invisible to `get` but never leave.
  // The same tick fails requests that timed out with a callback waiting and nobody polling, so
  // their callback goes out without a read.
  let purging = false;
  const housekeeping = async (): Promise<void> => {
    if (options.callbacks !== undefined) {
      for (const overdue of await store.listOverdueCallbacks(now() - timeoutMs, 100))
        await current(overdue.id);
    }
    await store.purge(now());
  };
  const purgeTimer = setInterval(() => {
    if (purging) return;
    purging = true;
    housekeeping()
      .catch((error: unknown) => logger.warn({ err: error }, 'expired requests could not be purged'))
      .finally(() => (purging = false));
  }, purgeIntervalMs);
  purgeTimer.unref();

  bus.on(
    replyType,
    async (event) => {
      const id = inReplyTo(event);
      if (id === undefined) return;
      const error = replyError(event);
      const at = now();
      const settled = await store.settle(
        id,
        error === undefined
          ? { status: 'completed', result: event.data ?? null }
          : { status: 'failed', error },
        at,
        at + resultTtlMs,
      );
      if (settled === undefined) return;
      wake(id);
      // A throw here nacks the reply: it comes again, finds the request settled and enqueues the
      // callback again under the same delivery id, so a crash in between loses no callback.
      await options.callbacks?.send(settled);
    },
    { name: options.name ?? `requests.${randomUUID()}` },
  );

  // A pending request past its timeout is failed on read (the first reader records it).
  const current = async (id: string): Promise<RequestRecord | undefined> => {
    const at = now();
    const record = await store.get(id, at);
    if (record?.status !== 'pending' || at < record.createdAt + timeoutMs) return record;
    const settled = await store.settle(
      id,
      { status: 'failed', error: `no reply within ${timeoutMs} ms` },
      at,
      at + resultTtlMs,
    );
    if (settled !== undefined) await options.callbacks?.send(settled);
    return settled;
  };

  return {
    async submit(type, data, submitOptions = {}) {
      const id = randomUUID();
      let callbackUrl: string | undefined;
      if (submitOptions.callbackUrl !== undefined) {
        if (options.callbacks === undefined) {
          throw new InvalidCallbackError(
            'this gateway sends no request callbacks. Poll the request instead, or configure callbacks (a signing secret).',
          );
        }
        callbackUrl = await options.callbacks.check(submitOptions.callbackUrl);
      }
      const at = now();
      const record = await store.create(
        {
          id,
          type,
          expiresAt: at + timeoutMs + resultTtlMs,
          ...(callbackUrl === undefined ? {} : { callbackUrl }),
        },
        at,
      );
      await bus.publish(type, data, {
        id,
        extensions: { [REPLY_TO]: replyType },
        ...(submitOptions.key === undefined ? {} : { key: submitOptions.key }),
      });
      return record!;
    },
    async get(id, getOptions = {}) {
      const waitMs = Math.min(getOptions.waitMs ?? 0, maxWaitMs);
      if (waitMs <= 0 || closed) return current(id);
      // The waiter is in place before the read, so a reply landing in between still wakes it.
      let wakeUp!: () => void;
      const woken = new Promise<void>((resolve) => (wakeUp = resolve));
      let set = waiters.get(id);
      if (set === undefined) waiters.set(id, (set = new Set()));
      set.add(wakeUp);
      try {
        const record = await current(id);
        if (record?.status !== 'pending') return record;
        const remaining = Math.min(waitMs, record.createdAt + timeoutMs - now());
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          woken,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, remaining)))),
        ]);
        clearTimeout(timer);
        return await current(id);
      } finally {
        waiters.get(id)?.delete(wakeUp);
        if (waiters.get(id)?.size === 0) waiters.delete(id);
      }
    },
    close() {
      closed = true;
      clearInterval(purgeTimer);
      for (const id of [...waiters.keys()]) wake(id);
    },
  };
}
