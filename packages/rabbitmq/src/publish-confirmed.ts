import type { ConfirmChannel, Options } from 'amqplib';
import { TimeoutError } from '@eddy/core/internal';
import { unconfirmedError } from './errors.js';

export interface AmqpPublish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly properties: Options.Publish;
}

const MAX_UNSENT_BYTES = 4 * 1024 * 1024;

function waitForDrain(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
  });
}

/**
 * Publishes on a confirm channel and resolves when the broker confirmed every message: for durable
 * queues that means written to disk (quorum: replicated to a majority). Rejects with a retriable
 * `ConnectionError` when a confirm is negative or the channel goes away first, and with a retriable
 * `TimeoutError` when the confirms take longer than `timeoutMs`.
 */
export async function publishConfirmed(
  channel: ConfirmChannel,
  batch: readonly AmqpPublish[],
  timeoutMs: number,
): Promise<void> {
  if (batch.length === 0) return;
  let resolveAll: () => void = () => undefined;
  let rejectAll: (error: unknown) => void = () => undefined;
  const confirmed = new Promise<void>((resolve, reject) => {
    resolveAll = resolve;
    rejectAll = reject;
  });
  // Awaited below; a rejection while this function still waits for drain must not count as unhandled.
  confirmed.catch(() => undefined);
  let remaining = batch.length;
  let failure: unknown;
  // One callback for the whole batch instead of a promise per message: publishing is hot.
  const onConfirm = (error: unknown): void => {
    if (error !== null && error !== undefined && failure === undefined) failure = unconfirmedError(error);
    remaining -= 1;
    if (remaining === 0) {
      if (failure === undefined) resolveAll();
      else rejectAll(failure);
    }
  };
  // A broker under a memory or disk alarm blocks publishers without closing anything: confirms just
  // stop coming. Give up after timeoutMs rather than hang.
  const timer = setTimeout(() => {
    rejectAll(
      new TimeoutError(
        `RabbitMQ did not confirm the publish within ${timeoutMs} ms (is a memory or disk alarm blocking ` +
          'publishers? see rabbitmqctl status). The messages may or may not be stored: publish them again.',
      ),
    );
  }, timeoutMs);
  try {
    // Racing the confirms: a timeout must also end a wait for the socket to drain.
    await Promise.race([publishAll(channel, batch, onConfirm), confirmed]);
    await confirmed;
  } finally {
    clearTimeout(timer);
  }
}

async function publishAll(
  channel: ConfirmChannel,
  batch: readonly AmqpPublish[],
  onConfirm: (error: unknown) => void,
): Promise<void> {
  let unsentBytes = 0;
  for (const item of batch) {
    let writable: boolean;
    try {
      writable = channel.publish(item.exchange, item.routingKey, item.content, item.properties, onConfirm);
    } catch (error) {
      // amqplib throws synchronously on a channel that already closed.
      throw unconfirmedError(error);
    }
    // Respect the socket's backpressure instead of buffering a whole large batch in memory, but
    // only past a few MiB: stopping at every full socket buffer would starve the pipeline.
    unsentBytes += item.content.byteLength;
    if (!writable && unsentBytes > MAX_UNSENT_BYTES) {
      await waitForDrain(channel);
      unsentBytes = 0;
    }
  }
}
