import type { Redis } from 'ioredis';

export interface AckBatcher {
  /** Queues an ack; every ack queued in one turn of the event loop goes out in one pipeline. */
  add(partition: number, id: string): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  /**
   * Sends what is queued now on `connection` without waiting: the read loop puts the acks of the
   * last batch in front of its next read on the same connection, saving a round trip per batch.
   */
  flushVia(connection: Redis): void;
}

export function createAckBatcher(options: {
  readonly redis: Redis;
  readonly group: string;
  readonly stream: (partition: number) => string;
  readonly report: (error: unknown, doing: string) => void;
}): AckBatcher {
  const pending = new Map<number, string[]>();
  let scheduled: Promise<void> | undefined;

  const send = async (connection: Redis): Promise<void> => {
    const batch = [...pending];
    pending.clear();
    if (batch.length === 0) return;
    const pipeline = connection.pipeline();
    for (const [partition, ids] of batch) pipeline.xack(options.stream(partition), options.group, ...ids);
    try {
      // An ack that failed leaves its entry pending: it is redelivered after the ack timeout.
      for (const [error] of (await pipeline.exec()) ?? []) {
        if (error !== null) options.report(error, 'acknowledging messages');
      }
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
    flushVia(connection) {
      void send(connection);
    },
  };
}
