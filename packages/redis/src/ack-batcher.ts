import type { ChainableCommander, Redis } from 'ioredis';

export interface AckBatcher {
  /** Queues an ack; every ack queued in one turn of the event loop goes out in one pipeline. */
  add(partition: number, id: string | Buffer): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  /**
   * Moves what is queued now into `pipeline` and returns how many commands it added: the read
   * loop sends the acks of the last batch and its next read in one write, one round trip per
   * batch. Their replies, the first that many of the pipeline's, go to `acknowledged`.
   */
  appendTo(pipeline: ChainableCommander): number;
  /** Reports the failed acks among the replies of commands `appendTo` added. */
  acknowledged(replies: readonly [Error | null, unknown][]): void;
}

export function createAckBatcher(options: {
  readonly redis: Redis;
  readonly group: string;
  readonly stream: (partition: number) => string;
  readonly report: (error: unknown, doing: string) => void;
}): AckBatcher {
  const pending = new Map<number, (string | Buffer)[]>();
  let scheduled: Promise<void> | undefined;

  /** Queues XACK per partition into `pipeline`; returns how many commands it added. */
  const take = (pipeline: ChainableCommander): number => {
    const count = pending.size;
    for (const [partition, ids] of pending) pipeline.xack(options.stream(partition), options.group, ...ids);
    pending.clear();
    return count;
  };
  // An ack that failed leaves its entry pending: it is redelivered after the ack timeout.
  const acknowledged = (replies: readonly [Error | null, unknown][]): void => {
    for (const [error] of replies) if (error !== null) options.report(error, 'acknowledging messages');
  };

  const send = async (connection: Redis): Promise<void> => {
    if (pending.size === 0) return;
    const pipeline = connection.pipeline();
    take(pipeline);
    try {
      acknowledged((await pipeline.exec()) ?? []);
    } catch (error) {
      options.report(error, 'acknowledging messages');
    }
  };

  const flush = (): Promise<void> => {
    scheduled = undefined;
    return send(options.redis);
  };

  return {
    add(partition, id) {
      const ids = pending.get(partition);
      if (ids === undefined) pending.set(partition, [id]);
      else ids.push(id);
      scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush);
    },
    flush,
    appendTo: take,
    acknowledged,
  };
}
