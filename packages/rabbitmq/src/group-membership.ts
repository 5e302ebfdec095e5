import type { Channel, ChannelModel } from 'amqplib';
import type { TopologyNames } from './names.js';

// An idle members queue (no member left) removes itself after this long.
const MEMBERS_QUEUE_EXPIRES_MS = 10 * 60_000;

export interface MembershipSettings {
  readonly names: TopologyNames;
  readonly topic: string;
  readonly group: string;
  /** Another member joined, left or released partitions: time to rebalance. */
  readonly onNotice: () => void;
  /** The control channel closed without `leave()`: the connection is probably gone. */
  readonly onLost: () => void;
}

function ignore(): void {}

/**
 * How members of one group find each other with nothing but AMQP: each consumes a shared members
 * queue (its consumer count is the group size) and listens on a private queue for rebalance notices.
 */
export class GroupMembership {
  private channel: Channel | undefined;
  private leaving = false;
  private membersTag: string | undefined;

  constructor(private readonly settings: MembershipSettings) {}

  async join(connection: ChannelModel): Promise<void> {
    const { names, topic, group } = this.settings;
    this.leaving = false;
    const channel = await connection.createChannel();
    channel.on('error', ignore);
    try {
      const exchange = names.controlExchange();
      await channel.assertExchange(exchange, 'direct', { durable: true });
      const members = names.members(topic, group);
      await channel.assertQueue(members, {
        durable: false,
        arguments: { 'x-expires': MEMBERS_QUEUE_EXPIRES_MS },
      });
      this.membersTag = (await channel.consume(members, ignore, { noAck: true })).consumerTag;
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.bindQueue(queue, exchange, names.controlKey(topic, group));
      await channel.consume(queue, () => this.settings.onNotice(), { noAck: true });
    } catch (error) {
      await channel.close().catch(ignore);
      throw error;
    }
    this.channel = channel;
    channel.once('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (!this.leaving) this.settings.onLost();
    });
  }

  /** Members of the group right now, this one included (at least 1). */
  async size(): Promise<number> {
    if (this.channel === undefined) return 1;
    const { consumerCount } = await this.channel.checkQueue(
      this.settings.names.members(this.settings.topic, this.settings.group),
    );
    return Math.max(1, consumerCount);
  }

  /** Consumers attached to `queue`; 0 when unknown. Asking never closes a channel, unlike trying a lock. */
  async consumers(queue: string): Promise<number> {
    if (this.channel === undefined) return 0;
    return (await this.channel.checkQueue(queue)).consumerCount;
  }

  /** Asks every member (this one too) to rebalance. */
  notify(): void {
    const { names, topic, group } = this.settings;
    try {
      this.channel?.publish(names.controlExchange(), names.controlKey(topic, group), Buffer.alloc(0));
    } catch {
      // A closed channel means a reconnect is under way, which rebalances anyway.
    }
  }

  /** Stops counting as a member, then tells the others, so they see the smaller group. */
  async leave(): Promise<void> {
    this.leaving = true;
    const channel = this.channel;
    if (channel === undefined) return;
    if (this.membersTag !== undefined) await channel.cancel(this.membersTag).catch(ignore);
    this.notify();
    this.channel = undefined;
    await channel.close().catch(ignore);
  }
}
