import { ClosedError } from '../errors/errors.js';
import type { TransportCapabilities } from '../transport/capabilities.js';
import type { OutgoingMessage, Position, ReceivedMessage } from '../transport/message.js';
import type {
  BatchMessageHandler,
  BatchSubscribeOptions,
  MessageHandler,
  SubscribeOptions,
  Subscription,
  Transport,
} from '../transport/transport.js';
import { resolveMaxBatchSize, resolveSubscribeOptions, validatePublish } from '../transport/validate.js';
import { MemoryBroker } from './memory-broker.js';
import type { PublishDedupeView } from '../transport/dedupe-view.js';
import type { BatchReceiver, GroupMember } from './memory-group.js';

export interface MemoryTransportOptions {
  /** Broker holding topics and groups; share one between transports to play several processes. Default: a new broker of its own. */
  readonly broker?: MemoryBroker;
  /** Largest accepted message (payload + key + headers), bytes. Default 4 MiB. */
  readonly maxMessageBytes?: number;
  /**
   * Flags to declare false, to try an application against what a smaller backend offers: the
   * transport then refuses those features as that backend does, e.g. `{ replay: false,
   * replayFromTime: false }` as on RabbitMQ. Default: every flag but `durable` is true.
   */
  readonly capabilities?: MemoryCapabilityLimits;
}

/** Capability flags the memory transport can declare false (it never declares more than it does). */
export type MemoryCapabilityLimits = {
  readonly [
    K in keyof TransportCapabilities as NonNullable<TransportCapabilities[K]> extends boolean ? K : never
  ]?: false;
};

/** A memory transport, with the broker it publishes to. */
export interface MemoryTransport extends Transport {
  readonly broker: MemoryBroker;
  /** Dedupe decisions and live keys of the broker; absent when `publishDedupe` is declared false. */
  readonly dedupe?: PublishDedupeView;
}

export const DEFAULT_MEMORY_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * A complete transport in process memory, for unit tests and local runs: partitions, consumer
 * groups, per-key ordering, redelivery on nack and ack timeout, delayed delivery and replay.
 * Not durable: everything is gone with the broker.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const broker = options.broker ?? new MemoryBroker();
  const capabilities: TransportCapabilities = {
    durable: false,
    orderingPerKey: true,
    consumerGroups: true,
    replay: true,
    replayFromTime: true,
    delayedDelivery: true,
    nackDelay: true,
    filtering: false,
    supersede: false,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MEMORY_MAX_MESSAGE_BYTES,
    leaseExtension: true,
    // Replacing and debouncing hold messages back, which is delayed delivery.
    publishDedupe: options.capabilities?.delayedDelivery !== false,
    ...options.capabilities,
  };
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  function publish(topic: string, messages: readonly OutgoingMessage[]): Promise<Position[]> {
    return settle(() => {
      if (closing !== undefined) throw new ClosedError('This memory transport');
      validatePublish(topic, messages, capabilities);
      return broker.append(topic, messages);
    });
  }

  function subscribe(
    topic: string,
    options: SubscribeOptions,
    handler: MessageHandler,
  ): Promise<Subscription> {
    return settle(() => join(topic, options, handler, undefined));
  }

  function subscribeBatch(
    topic: string,
    options: BatchSubscribeOptions,
    handler: BatchMessageHandler,
  ): Promise<Subscription> {
    return settle(() => {
      const maxInFlight = resolveSubscribeOptions(topic, options, capabilities).maxInFlight;
      const maxBatchSize = resolveMaxBatchSize(options, maxInFlight);
      return join(topic, options, refuseSingle, { handler, maxBatchSize, open: [] });
    });
  }

  function join(
    topic: string,
    options: SubscribeOptions,
    handler: MessageHandler,
    batch: BatchReceiver | undefined,
  ): Subscription {
    if (closing !== undefined) throw new ClosedError('This memory transport');
    const resolved = resolveSubscribeOptions(topic, options, capabilities);
    broker.checkStartPosition(resolved.from);
    // Declared without replay, it behaves as a queue broker does: a new group has no history.
    const from = resolved.from === 'earliest' && !capabilities.replay ? 'latest' : resolved.from;
    const group = broker.group(topic, resolved.group, from);
    let drained: (() => void) | undefined;
    const member: GroupMember = {
      handler,
      ...(batch === undefined ? {} : { batch }),
      maxInFlight: resolved.maxInFlight,
      ackTimeoutMs: resolved.ackTimeoutMs,
      nackDelayMs: resolved.nackDelayMs,
      running: 0,
      inFlight: new Map(),
      extended: false,
      closing: false,
      onSettled: () => {
        if (member.running === 0) drained?.();
      },
    };
    let closed: Promise<void> | undefined;
    const subscription: Subscription = {
      ...(capabilities.leaseExtension === true
        ? {
            extendLease: (message: ReceivedMessage, ms: number) => {
              group.extend(member, message, ms);
              return Promise.resolve();
            },
          }
        : {}),
      close: () => {
        closed ??= (async () => {
          member.closing = true;
          if (member.running > 0) await new Promise<void>((resolve) => (drained = resolve));
          group.leave(member);
          subscriptions.delete(subscription);
        })();
        return closed;
      },
    };
    subscriptions.add(subscription);
    group.join(member);
    return subscription;
  }

  function close(): Promise<void> {
    closing ??= Promise.all([...subscriptions].map((subscription) => subscription.close())).then(() => {});
    return closing;
  }

  const dedupe: PublishDedupeView = {
    decisions: () => broker.dedupeCounters.snapshot(),
    keys: (topic, limit) => broker.dedupeKeys(topic, limit),
  };
  return {
    name: 'memory',
    capabilities,
    broker,
    publish,
    subscribe,
    subscribeBatch,
    close,
    ...(capabilities.publishDedupe === true ? { dedupe } : {}),
  };
}

/** A batch member's single-message handler: never called, the group passes batches instead. */
const refuseSingle: MessageHandler = () => {
  throw new Error('A batch subscription takes messages in batches only.');
};

/** Runs synchronous work as a promise, so a throw becomes a rejection like any backend's would. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
