import type { ConfirmChannel, Options } from 'amqplib';
import { unconfirmedError } from './errors.js';

export interface AmqpPublish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly properties: Options.Publish;
}

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
 * `ConnectionError` when a confirm is negative or the channel goes away first.
 */
export async function publishConfirmed(
  channel: ConfirmChannel,
  batch: readonly AmqpPublish[],
): Promise<void> {
  const confirms: Promise<void>[] = [];
  for (const item of batch) {
    let writable = true;
    confirms.push(
      new Promise<void>((resolve, reject) => {
        try {
          writable = channel.publish(
            item.exchange,
            item.routingKey,
            item.content,
            item.properties,
            (error) => {
              if (error === null || error === undefined) resolve();
              else reject(unconfirmedError(error));
            },
          );
        } catch (error) {
          // amqplib throws synchronously on a channel that already closed.
          reject(unconfirmedError(error));
        }
      }),
    );
    // Respect the socket's backpressure instead of buffering a whole large batch in memory.
    if (!writable) await waitForDrain(channel);
  }
  const results = await Promise.allSettled(confirms);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}
