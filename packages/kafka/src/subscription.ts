import { type MessageHandler, type ReceivedMessage, type Subscription } from '@eddy/core';
import { KeyedTasks, redeliveryDelayOf, type ResolvedSubscribeOptions } from '@eddy/core/internal';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { decodeHeaders, headersOfRecord, payloadOf } from './codec.js';
import { OffsetTracker } from './offset-tracker.js';
import type { ResolvedKafkaOptions } from './options.js';
import { decodeRetry, encodeRetry, withoutRetry, type RetryEnvelope } from './retry-envelope.js';

export interface KafkaSubscriptionSettings {
  readonly consumer: Consumer;
  readonly producer: Producer;
  readonly topic: string;
  /** `<topic>.retry`, or undefined for in-place redelivery. */
  readonly retryTopic: string | undefined;
  readonly options: ResolvedSubscribeOptions;
  readonly kafka: ResolvedKafkaOptions;
  readonly handler: MessageHandler;
  readonly onClosed: () => void;
}

// kafkajs must hear from a member within the session timeout, also while a batch is still running.
const HEARTBEAT_EVERY_MS = 3_000;

type Outcome = { readonly ok: true } | { readonly ok: false; readonly delayMs: number };

/**
 * One member of a consumer group. kafkajs assigns partitions and fetches batches; within a batch,
 * messages of different keys run concurrently (at most `maxInFlight`), messages of one key in
 * order. Offsets are committed only past the contiguous run of settled messages of each partition.
 */
export class KafkaSubscription implements Subscription {
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Handlers of every assigned partition: at most `maxInFlight` at once, one per key. */
  private readonly scheduler: KeyedTasks;
  private readonly trackers = new Map<string, { topic: string; partition: number; tracker: OffsetTracker }>();
  private readonly handlers = new Set<Promise<unknown>>();
  private readonly wakeups = new Set<() => void>();
  private commitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: KafkaSubscriptionSettings) {
    this.scheduler = new KeyedTasks(settings.options.maxInFlight);
  }

  async start(): Promise<void> {
    await this.settings.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.options.maxInFlight,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    for (const wake of this.wakeups) wake();
    // disconnect waits for the running batches, which wait for their handlers.
    await this.settings.consumer.disconnect().catch(() => undefined);
    await Promise.allSettled([...this.handlers]);
    clearTimeout(this.commitTimer);
    this.settings.onClosed();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    const slot = `${topic}\u0000${partition}`;
    const tracker = new OffsetTracker();
    this.trackers.set(slot, { topic, partition, tracker });
    const isRetry = topic === this.settings.retryTopic;
    const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    try {
      const tasks: Promise<void>[] = [];
      for (const message of batch.messages) {
        if (this.closing || !payload.isRunning() || payload.isStale()) break;
        tracker.track(message.offset);
        // Retries are already out of order; plain messages queue behind their key.
        const key = isRetry || message.key === null ? undefined : message.key.toString('utf8');
        tasks.push(
          this.scheduler
            .run(key, () => this.process(partition, message, isRetry))
            .then((settled) => {
              if (settled) {
                tracker.ack(message.offset);
                this.scheduleCommit();
              }
            }),
        );
      }
      await Promise.all(tasks);
    } finally {
      clearInterval(beat);
      this.trackers.delete(slot);
    }
    // Tell kafkajs where to fetch next: after the settled run. Anything after a message left
    // unsettled by closing is fetched again by whoever owns the partition next.
    const next = tracker.nextOffset();
    if (next !== undefined) payload.resolveOffset((BigInt(next) - 1n).toString());
    const commit = tracker.committable();
    if (commit !== undefined) {
      await this.settings.consumer
        .commitOffsets([{ topic, partition, offset: commit }])
        .catch(() => undefined);
    }
  }

  /** Handles one message until it is settled; false when closing left it for the next member. */
  private async process(partition: number, message: KafkaMessage, isRetry: boolean): Promise<boolean> {
    const { options, retryTopic, producer, topic } = this.settings;
    // Queued behind its key when closing began: never handed to the handler, so it stays
    // uncommitted for the partition's next owner.
    if (this.closing) return false;
    const headers = decodeHeaders(message.headers);
    let envelope: RetryEnvelope | undefined;
    if (isRetry) {
      envelope = decodeRetry(headers);
      // The retry topic is shared by every group of the topic: only this group's retries are ours.
      if (envelope === undefined || envelope.group !== options.group) return true;
      if (!(await this.waitUntil(envelope.dueAt))) return false;
    }
    const origin = {
      partition: envelope?.partition ?? partition,
      offset: envelope?.offset ?? message.offset,
      publishedAt: envelope?.publishedAt ?? Number(message.timestamp),
    };
    for (let deliveryCount = envelope?.deliveryCount ?? 1; ; deliveryCount += 1) {
      const received: ReceivedMessage = {
        topic,
        ...origin,
        key: message.key === null ? undefined : message.key.toString('utf8'),
        headers: headersOfRecord(withoutRetry(headers)),
        payload: payloadOf(message.value),
        deliveryCount,
      };
      const outcome = await this.runHandler(received);
      if (outcome.ok) return true;
      if (retryTopic !== undefined) {
        try {
          await producer.send({
            topic: retryTopic,
            acks: -1,
            messages: [
              {
                key: message.key,
                value: message.value,
                headers: encodeRetry(headers, {
                  group: options.group,
                  dueAt: Date.now() + outcome.delayMs,
                  deliveryCount: deliveryCount + 1,
                  ...origin,
                }),
              },
            ],
          });
          return true;
        } catch {
          // The retry topic is unreachable: fall back to redelivering in place.
        }
      }
      if (this.closing) return false;
      if (!(await this.waitUntil(Date.now() + outcome.delayMs))) return false;
    }
  }

  /** Runs the handler; a handler that outlives the ack timeout counts as a nack without delay. */
  private async runHandler(message: ReceivedMessage): Promise<Outcome> {
    const { handler, options } = this.settings;
    const run = (async (): Promise<Outcome> => {
      try {
        await handler(message);
        return { ok: true };
      } catch (error) {
        return { ok: false, delayMs: redeliveryDelayOf(error, options.nackDelayMs) };
      }
    })();
    this.handlers.add(run);
    void run.finally(() => this.handlers.delete(run));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, delayMs: 0 }), options.ackTimeoutMs);
    });
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits until `at` (epoch ms); false when the subscription started closing meanwhile. */
  private waitUntil(at: number): Promise<boolean> {
    const ms = at - Date.now();
    if (this.closing) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve(!this.closing);
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  private scheduleCommit(): void {
    if (this.commitTimer !== undefined) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitProgress();
    }, this.settings.kafka.commitIntervalMs);
  }

  /** Commits what became committable in batches still running. */
  private async commitProgress(): Promise<void> {
    const offsets = [];
    for (const { topic, partition, tracker } of this.trackers.values()) {
      const offset = tracker.committable();
      if (offset !== undefined) {
        offsets.push({ topic, partition, offset });
        tracker.markCommitted(offset);
      }
    }
    if (offsets.length > 0) await this.settings.consumer.commitOffsets(offsets).catch(() => undefined);
  }
}
