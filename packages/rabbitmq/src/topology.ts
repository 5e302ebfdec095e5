import type { Channel } from 'amqplib';
import { BackendError } from '@eddy/core/internal';
import { QueueMismatchError } from './errors.js';
import { UNTYPED_HEADER, type FilterBinding } from './filter-bindings.js';
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

/** Highest AMQP priority of a priority queue: Eddy's levels are 0-9. */
export const MAX_PRIORITY = 9;

/**
 * Declares a group's partition queues and binds each to the topic exchange by partition number.
 * Quorum queues by default: replicated, durable, and they count redeliveries in x-delivery-count.
 * With `priorityQueues`, classic queues with x-max-priority (quorum queues refuse it on RabbitMQ
 * 3.10 and before). Single active consumer: several members may attach to one partition, one of
 * them receives at a time, so a key's messages are never handled by two members at once.
 */
export async function declareGroupQueues(
  channel: Channel,
  names: TopologyNames,
  topic: string,
  group: string,
  partitions: number,
  priorityQueues: boolean,
  filter: FilterBinding | undefined,
): Promise<string[]> {
  const queueArguments = priorityQueues
    ? { 'x-queue-type': 'classic', 'x-max-priority': MAX_PRIORITY, 'x-single-active-consumer': true }
    : { 'x-queue-type': 'quorum', 'x-single-active-consumer': true };
  const exchange = await declareExchange(channel, names, topic);
  const queues: string[] = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    const queue = names.queue(topic, group, partition);
    try {
      await channel.assertQueue(queue, { durable: true, arguments: queueArguments });
    } catch (error) {
      // PRECONDITION_FAILED - inequivalent arg 'x-queue-type' (or 'x-max-priority') for queue ...
      if (error instanceof Error && /inequivalent arg 'x-(queue-type|max-priority)'/.test(error.message)) {
        throw new QueueMismatchError(queue, priorityQueues ? 'classic' : 'quorum', { cause: error });
      }
      throw new BackendError(
        `RabbitMQ refused to declare queue "${queue}" (${error instanceof Error ? error.message : String(error)}). ` +
          'A queue of that name exists with other arguments: delete it, or use another group name or namePrefix.',
        { cause: error },
      );
    }
    if (filter === undefined) await channel.bindQueue(queue, exchange, String(partition));
    else await bindThroughFilter(channel, names, { topic, group, partition, queue, exchange, filter });
    queues.push(queue);
  }
  return queues;
}

/**
 * Binds a partition queue through a headers exchange that lets only messages of the filter's exact
 * headers, or without a type the broker can see, reach it. The direct binding goes last, so the
 * queue never misses a message in between (a message routed to it both ways arrives once).
 */
async function bindThroughFilter(
  channel: Channel,
  names: TopologyNames,
  at: {
    topic: string;
    group: string;
    partition: number;
    queue: string;
    exchange: string;
    filter: FilterBinding;
  },
): Promise<void> {
  const filterExchange = names.filterExchange(at.topic, at.group, at.partition, at.filter.id);
  await channel.assertExchange(filterExchange, 'headers', { durable: true });
  await channel.bindQueue(at.queue, filterExchange, '', { 'x-match': 'all', ...at.filter.headers });
  await channel.bindQueue(at.queue, filterExchange, '', { 'x-match': 'all', [UNTYPED_HEADER]: '1' });
  await channel.bindExchange(filterExchange, at.exchange, String(at.partition));
  await channel.unbindQueue(at.queue, at.exchange, String(at.partition));
}
