import { createHash } from 'node:crypto';

// RabbitMQ caps exchange and queue names at 255 bytes; Eddy topic and group names can each be 200
// characters, so long combinations are shortened with a hash that keeps them unique.
const MAX_AMQP_NAME = 255;

function fit(name: string, suffix = ''): string {
  const room = MAX_AMQP_NAME - Buffer.byteLength(suffix);
  if (Buffer.byteLength(name) <= room) return name + suffix;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 32);
  // Names are ASCII (see assertTopicName), so slicing characters slices bytes.
  return `${name.slice(0, room - hash.length - 1)}~${hash}${suffix}`;
}

/**
 * Names of everything the transport declares. "/" never occurs in topic or group names, so it
 * separates segments without ambiguity.
 */
export class TopologyNames {
  constructor(private readonly prefix: string) {}

  /** The topic exchange every publish to `topic` goes to; routing key = partition number. */
  exchange(topic: string): string {
    return fit(`${this.prefix}/${topic}`);
  }

  /** One durable quorum queue per group and partition. */
  queue(topic: string, group: string, partition: number): string {
    return fit(`${this.prefix}/${topic}/${group}`, `/${partition}`);
  }

  /**
   * Headers exchange between the topic exchange and one partition queue of a group whose filter
   * is bound in the broker; `filterId` (a hash of the bound headers) keeps filters apart.
   */
  filterExchange(topic: string, group: string, partition: number, filterId: string): string {
    return fit(`${this.prefix}/${topic}/${group}`, `/${partition}/filter-${filterId}`);
  }

  /** Lock of one partition of a group: an exclusive queue, so at most one connection holds it. */
  partitionLock(topic: string, group: string, partition: number): string {
    return fit(`${this.prefix}/${topic}/${group}`, `/${partition}/lock`);
  }

  /** Every member of a group consumes this queue, so its consumer count is the member count. */
  members(topic: string, group: string): string {
    return fit(`${this.prefix}/${topic}/${group}`, '/members');
  }

  /** Direct exchange through which members of a group tell each other to rebalance. */
  controlExchange(): string {
    return `${this.prefix}/groups`;
  }

  /** Routing key of a group's rebalance notices. */
  controlKey(topic: string, group: string): string {
    return fit(`${this.prefix}/${topic}/${group}`);
  }

  /** Fanout exchange in front of the TTL queue of one delay step. */
  delayExchange(delayMs: number): string {
    return `${this.prefix}/delay/${delayMs}`;
  }

  /** TTL queue of one delay step: dead-letters through the default exchange back to the queue named by the routing key. */
  delayQueue(delayMs: number): string {
    return `${this.prefix}/delay/${delayMs}`;
  }
}
