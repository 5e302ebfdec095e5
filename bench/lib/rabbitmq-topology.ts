import { connect } from 'node:net';
import amqp from 'amqplib';
import { TopologyNames } from '../../packages/rabbitmq/src/names.js';

/** Where the RabbitMQ benchmarks connect: EDDY_RABBITMQ_URL, else the local broker. */
export const RABBIT_URL = process.env['EDDY_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

const PARTITIONS = 4;

/** True when something listens on the broker's AMQP port. */
export function rabbitReachable(): Promise<boolean> {
  const { hostname, port } = new URL(RABBIT_URL);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 5672) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Deletes what a benchmark's transports declared under `prefix` for these topics and groups
 * (default partition count), so runs leave nothing behind on the shared broker.
 */
export async function deleteRabbitTopology(
  prefix: string,
  topics: readonly string[],
  groups: readonly string[],
): Promise<void> {
  const names = new TopologyNames(prefix);
  const connection = await amqp.connect(RABBIT_URL);
  try {
    const channel = await connection.createChannel();
    for (const topic of topics) {
      for (const group of groups) {
        for (let partition = 0; partition < PARTITIONS; partition += 1)
          await channel.deleteQueue(names.queue(topic, group, partition));
        await channel.deleteQueue(names.members(topic, group));
      }
      await channel.deleteExchange(names.exchange(topic));
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}
