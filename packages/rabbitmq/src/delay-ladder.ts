import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { delayedProperties } from './codec.js';
import type { ConnectionManager } from './connection.js';
import type { TopologyNames } from './names.js';
import { publishConfirmed } from './publish-confirmed.js';

// Longest step, about 25 days: RabbitMQ caps x-message-ttl at 2^32 - 1 ms. Longer delays take
// several trips.
const MAX_STEP_MS = 2 ** 31;

/**
 * Delayed redelivery without the delayed-message plugin: a ladder of TTL queues of
 * `baseDelayMs * 2^n` ms. A message waits in the largest step that does not overshoot its due time,
 * then dead-letters through the default exchange straight back to the queue it came from (the
 * routing key is that queue's name). A consumer that receives it early sends it up the ladder again,
 * so any delay takes at most ~log2(delay / base) trips and lands within `baseDelayMs` of its due time.
 */
export class DelayLadder {
  private declared = new Map<number, Promise<void>>();
  private generation = -1;

  constructor(
    private readonly manager: ConnectionManager,
    private readonly names: TopologyNames,
    private readonly baseDelayMs: number,
    private readonly confirmTimeoutMs: number,
  ) {}

  /** The delay step for `remainingMs` still to wait. */
  stepFor(remainingMs: number): number {
    let step = this.baseDelayMs;
    while (step * 2 <= remainingMs && step * 2 <= MAX_STEP_MS) step *= 2;
    return step;
  }

  /**
   * Re-publishes `message` so that it reaches `queue` again at `dueAt`, and resolves once the broker
   * confirmed it. The caller acks the original only after that, so a crash in between duplicates
   * rather than loses.
   */
  async send(queue: string, message: ConsumeMessage, dueAt: number, priorDeliveries: number): Promise<void> {
    const step = this.stepFor(dueAt - Date.now());
    const channel = await this.manager.confirmChannel();
    await this.declare(channel, step);
    await publishConfirmed(
      channel,
      [
        {
          exchange: this.names.delayExchange(step),
          routingKey: queue,
          content: message.content,
          properties: delayedProperties(message, dueAt, priorDeliveries),
        },
      ],
      this.confirmTimeoutMs,
    );
  }

  /**
   * Re-publishes `message` straight back to `queue` carrying `priorDeliveries`, and resolves once
   * confirmed: a redelivery counted by Eddy, for queues that do not count (classic queues).
   */
  async sendNow(queue: string, message: ConsumeMessage, priorDeliveries: number): Promise<void> {
    const channel = await this.manager.confirmChannel();
    await publishConfirmed(
      channel,
      [
        {
          // The default exchange routes by queue name.
          exchange: '',
          routingKey: queue,
          content: message.content,
          properties: delayedProperties(message, undefined, priorDeliveries),
        },
      ],
      this.confirmTimeoutMs,
    );
  }

  private declare(channel: ConfirmChannel, step: number): Promise<void> {
    if (this.generation !== this.manager.generation) {
      this.generation = this.manager.generation;
      this.declared.clear();
    }
    let done = this.declared.get(step);
    if (done === undefined) {
      done = this.declareStep(channel, step).catch((error: unknown) => {
        this.declared.delete(step);
        throw error;
      });
      this.declared.set(step, done);
    }
    return done;
  }

  private async declareStep(channel: ConfirmChannel, step: number): Promise<void> {
    const exchange = this.names.delayExchange(step);
    const queue = this.names.delayQueue(step);
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': step,
        // The default exchange routes by queue name, and dead-lettering keeps the routing key the
        // message was published with: the name of the queue it must return to.
        'x-dead-letter-exchange': '',
        // Quorum queues can dead-letter at-least-once (RabbitMQ >= 3.10), which needs reject-publish.
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
    await channel.bindQueue(queue, exchange, '');
  }
}
