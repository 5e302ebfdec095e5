import { randomUUID } from 'node:crypto';
import type { Bus, BusEvent, PublishOptions } from '@eddy/core';
import { ClosedError, TimeoutError } from '@eddy/core/internal';
import { RequestFailedError } from '../errors.js';
import { DEFAULT_REPLY_TYPE, inReplyTo, REPLY_TO, replyError } from './reply-protocol.js';

export interface RequesterOptions {
  /** Event type replies are published as. Default `eddy.reply`. */
  readonly replyType?: string;
  /**
   * Handler name of this requester's reply subscription; its own consumer group, so every
   * requester sees every reply. Default `requester.<random id>`: give a stable one per process
   * on durable transports, so restarts reuse one group.
   */
  readonly name?: string;
  /** Default timeout of `request`, ms. Default 30 000. */
  readonly timeoutMs?: number;
}

export interface RequestOptions extends Omit<PublishOptions, 'id' | 'extensions'> {
  /** How long to wait for the reply, ms. Default the requester's `timeoutMs`. */
  readonly timeoutMs?: number;
}

/** Request-reply over any transport. */
export interface Requester {
  /**
   * Publishes a request event of `type` and resolves with the reply event that answers it.
   * Rejects with `TimeoutError` (`EDDY_TIMEOUT`) when none came within `timeoutMs`, with
   * `RequestFailedError` when the handler replied with a failure.
   */
  request(type: string, data: unknown, options?: RequestOptions): Promise<BusEvent>;
  /** Rejects pending requests with `ClosedError`. The bus's handler stays registered until the bus stops. */
  close(): void;
}

interface Pending {
  resolve(event: BusEvent): void;
  reject(error: Error): void;
}

/**
 * Request-reply on a bus: each request is an event carrying `replyto`; its handler answers with
 * `replyTo(bus, event, { data })`, and the reply (correlated by `inreplyto`) resolves the request.
 * Create it before `bus.start()`, which then resolves once replies can be received.
 */
export function createRequester(
  bus: Bus<Record<string, unknown>>,
  options: RequesterOptions = {},
): Requester {
  const replyType = options.replyType ?? DEFAULT_REPLY_TYPE;
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;
  const pending = new Map<string, Pending>();
  let closed = false;
  bus.on(
    replyType,
    (event) => {
      const id = inReplyTo(event);
      const waiter = id === undefined ? undefined : pending.get(id);
      if (waiter === undefined) return;
      const error = replyError(event);
      if (error === undefined) waiter.resolve(event);
      else waiter.reject(new RequestFailedError(id!, error));
    },
    { name: options.name ?? `requester.${randomUUID()}`, retry: false, deadLetter: false },
  );

  return {
    async request(type, data, requestOptions = {}) {
      if (closed) throw new ClosedError('The requester');
      const { timeoutMs = defaultTimeoutMs, ...publishOptions } = requestOptions;
      const id = randomUUID();
      const reply = new Promise<BusEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(
            new TimeoutError(
              `No reply to "${type}" request ${id} within ${timeoutMs} ms. Is a handler for "${type}" running and replying with replyTo()?`,
            ),
          );
        }, timeoutMs);
        const settle = (): void => {
          clearTimeout(timer);
          pending.delete(id);
        };
        pending.set(id, {
          resolve: (event) => {
            settle();
            resolve(event);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        });
      });
      try {
        await bus.publish(type, data, { ...publishOptions, id, extensions: { [REPLY_TO]: replyType } });
      } catch (error) {
        pending.get(id)?.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return reply;
    },
    close() {
      closed = true;
      for (const waiter of [...pending.values()]) waiter.reject(new ClosedError('The requester'));
    },
  };
}
