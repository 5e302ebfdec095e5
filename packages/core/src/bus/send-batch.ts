import type { Position } from '../transport/message.js';
import type { Transport } from '../transport/transport.js';
import { toOutgoing } from './envelope.js';
import type { OutgoingEvent, PublishMiddleware, PublishNext } from './handler-types.js';

interface Waiting {
  readonly outgoing: OutgoingEvent;
  resolve(position: Position): void;
  reject(error: unknown): void;
}

/**
 * The transport end of one `bus.publishBatch`: each event goes through the publish middleware on
 * its own, and the ones that reach the end wait there until every event of the batch has either
 * arrived or been refused. Then each topic's events go to the transport in one `publish` call, in
 * the order of the batch.
 */
export class SendBatch {
  readonly #transport: Transport;
  readonly #middleware: readonly PublishMiddleware[];
  #open: number;
  readonly #waiting: Waiting[] = [];

  constructor(transport: Transport, middleware: readonly PublishMiddleware[], size: number) {
    this.#transport = transport;
    this.#middleware = middleware;
    this.#open = size;
  }

  /** Sends one event of the batch through the middleware; resolves with its position. */
  send(outgoing: OutgoingEvent): Promise<Position> {
    let arrived = false;
    const end: PublishNext = (last) => {
      if (arrived) return Promise.reject(new Error('A publish middleware called next twice.'));
      arrived = true;
      const waiting = new Promise<Position>((resolve, reject) => {
        this.#waiting.push({ outgoing: last, resolve, reject });
      });
      this.#arrive();
      return waiting;
    };
    const chain = this.#middleware.reduceRight<PublishNext>((next, middleware) => middleware(next), end);
    return chain(outgoing).catch((error: unknown) => {
      // Refused before the transport: the others need not wait for it.
      if (!arrived) {
        arrived = true;
        this.#arrive();
      }
      throw error;
    });
  }

  #arrive(): void {
    this.#open--;
    if (this.#open === 0) void this.#flush();
  }

  async #flush(): Promise<void> {
    const byTopic = new Map<string, Waiting[]>();
    for (const item of this.#waiting) {
      const list = byTopic.get(item.outgoing.topic);
      if (list === undefined) byTopic.set(item.outgoing.topic, [item]);
      else list.push(item);
    }
    await Promise.all(
      [...byTopic].map(async ([topic, items]) => {
        try {
          const positions = await this.#transport.publish(
            topic,
            items.map(({ outgoing }) => toOutgoing(outgoing.event, outgoing.deliverAt, outgoing.dedupe)),
          );
          items.forEach((item, i) => item.resolve(positions[i]!));
        } catch (error) {
          for (const item of items) item.reject(error);
        }
      }),
    );
  }
}
