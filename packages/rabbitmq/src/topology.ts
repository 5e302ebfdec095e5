import type { Channel } from 'amqplib';
import { BackendError } from '@eddy/core/internal';
import type { TopologyNames } from './names.js';

/** Declares the topic's exchange. Idempotent; durable so it survives broker restarts. */
export async function declareExchange(
  channel: Channel,
  names: TopologyNames,
  topic: string,
): Promise<string> {
  const exchange = names.exchange(topic);
  await channel.assertExchange(exchange, 'topic', { durable: true });
  return exchange;
}

/**
 * Declares a group's partition queues and binds each to the topic exchange by partition number.
 * Quorum queues: replicated, durable, and they count redeliveries in x-delivery-count. Single
 * active consumer: several members may attach to one partition, one of them receives at a time,
 * so a key's messages are never handled by two members at once.
 */
export async function declareGroupQueues(
  channel: Channel,
  names: TopologyNames,
  topic: string,
  group: string,
  partitions: number,
): Promise<string[]> {
  const exchange = await declareExchange(channel, names, topic);
  const queues: string[] = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    const queue = names.queue(topic, group, partition);
    try {
      await channel.assertQueue(queue, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', 'x-single-active-consumer': true },
      });
    } catch (error) {
      throw new BackendError(
        `RabbitMQ refused to declare queue "${queue}" (${error instanceof Error ? error.message : String(error)}). ` +
          'A queue of that name exists with other arguments: delete it, or use another group name or namePrefix.',
        { cause: error },
      );
    }
    await channel.bindQueue(queue, exchange, String(partition));
    queues.push(queue);
  }
  return queues;
}
