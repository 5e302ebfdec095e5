import {
  Nack,
  type CloudEvent,
  type OutgoingMessage,
  type ReceivedMessage,
  type Subscription,
} from '@eddy/core';
import { decodeCloudEvent } from '@eddy/core/cloudevents';
import {
  assertGroupName,
  assertTopicName,
  backoffDelayMs,
  DEFAULT_ACK_TIMEOUT_MS,
  InvalidOptionError,
  REDRIVE_GROUP_HEADER,
  resolveRetryOptions,
  silentLogger,
} from '@eddy/core/internal';
import { eventView } from '../event-view.js';
import type { RuleCounts } from '../store/rule.js';
import { deadLetterDelivery } from './dead-letter-delivery.js';
import { DeliveryHeaders, deliveryOf } from './delivery-headers.js';
import {
  DEFAULT_COUNTS_INTERVAL_MS,
  DEFAULT_RELOAD_INTERVAL_MS,
  DEFAULT_RULE_ENGINE_GROUP,
  DEFAULT_RULE_ENGINE_MAX_IN_FLIGHT,
  DEFAULT_RULE_MAX_HOPS,
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  defaultTargetDeadLetterTopic,
  deliveriesTopic,
  type RuleEngineOptions,
} from './engine-options.js';
import { RuleCounters } from './rule-counters.js';
import { RuleSet } from './rule-set.js';
import { deliverToTarget, type DeliveryContext } from './target-delivery.js';

/** Rules running against live events; see `createRuleEngine`. */
export interface RuleEngine {
  /** The consumer group it reads as. */
  readonly group: string;
  /** Loads the rules, then subscribes to the sources and to the deliveries topic. */
  start(): Promise<void>;
  /** Reads the store now instead of at the next poll (after `put` in the same process, say). */
  reload(): Promise<void>;
  /** Per rule: matched, delivered and failed by this engine since it started. */
  counts(): ReadonlyMap<string, RuleCounts>;
  /** Stops reading, lets in-flight deliveries settle, adds the last counts to the store. */
  stop(): Promise<void>;
}

/**
 * Runs the rules of a `RuleStore` against the events of `sources`, in two consumer-group steps on
 * the transport:
 *
 * 1. **Match**: the group reads every source; each event is matched against all enabled rules at
 *    once (`createRuleMatcher`), and one delivery message per (matching rule, target) is
 *    published to `<group>.deliveries` (the event's headers and payload unchanged, plus the rule
 *    and target) before the event is acknowledged.
 * 2. **Deliver**: the group reads the deliveries; each goes to its one target. A failed attempt is
 *    retried by the transport (nack with backoff and full jitter), so it holds no slot while
 *    waiting; after the last attempt the delivery goes to the target's dead-letter topic. A
 *    delivery's key joins rule, target and the event's key, so a failing target holds back only
 *    its own later deliveries of that key, never another target's, and a success is never
 *    repeated because another target failed.
 *
 * At-least-once: an engine that crashes between the two steps, or after a target took a delivery
 * but before it was acknowledged, sends it again. Topic and webhook targets receive the same id
 * every time (`deliveryId`), so receivers can drop repeats. Several engines with one group share
 * the work; the rules come from the store, polled for changes every `reloadIntervalMs`.
 */
export function createRuleEngine(options: RuleEngineOptions): RuleEngine {
  const { transport, store } = options;
  const group = options.group ?? DEFAULT_RULE_ENGINE_GROUP;
  assertGroupName(group);
  if (options.sources.length === 0) {
    throw new InvalidOptionError('sources must name at least one topic whose events the rules see.');
  }
  for (const source of options.sources) assertTopicName(source);
  const deliveries = deliveriesTopic(group);
  assertTopicName(deliveries);
  const retry = resolveRetryOptions(options.retry);
  const logger = options.logger ?? silentLogger;
  const reloadIntervalMs = options.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  const countsIntervalMs = options.countsIntervalMs ?? DEFAULT_COUNTS_INTERVAL_MS;
  const subscribeOptions = {
    group,
    maxInFlight: options.maxInFlight ?? DEFAULT_RULE_ENGINE_MAX_IN_FLIGHT,
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
  };
  const context: DeliveryContext = {
    transport,
    handlers: options.handlers ?? {},
    fetch: options.fetch ?? globalThis.fetch,
    webhookTimeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    maxHops: options.maxHops ?? DEFAULT_RULE_MAX_HOPS,
  };
  if (!Number.isInteger(context.maxHops) || context.maxHops < 1) {
    throw new InvalidOptionError(`maxHops must be a positive integer; received ${String(options.maxHops)}.`);
  }

  const rules = new RuleSet();
  const counters = new RuleCounters();
  const subscriptions: Subscription[] = [];
  const stopping = new AbortController();
  let revision: number | undefined;
  let loading: Promise<void> = Promise.resolve();
  let state: 'new' | 'running' | 'stopped' = 'new';

  /** Loads the store's rules when its revision moved; calls run one after another. */
  const reload = (): Promise<void> => {
    const next = loading.then(async () => {
      const current = await store.revision();
      if (current === revision) return;
      rules.sync(await store.list());
      revision = current;
      logger.debug({ group, revision, rules: rules.size }, 'rules loaded');
    });
    loading = next.catch(() => undefined);
    return next;
  };

  const flushCounts = async (): Promise<void> => {
    const deltas = counters.take();
    if (deltas.length === 0) return;
    try {
      await store.addCounts(deltas);
    } catch (error) {
      counters.restore(deltas);
      logger.warn({ group, err: error }, 'could not add rule counts to the store; will try again');
    }
  };

  const foreign = (message: ReceivedMessage): boolean => {
    const redriveGroup = message.headers[REDRIVE_GROUP_HEADER];
    return redriveGroup !== undefined && redriveGroup !== group;
  };

  const decode = (message: ReceivedMessage): CloudEvent | undefined => {
    try {
      return decodeCloudEvent(message);
    } catch (error) {
      logger.warn(
        { group, topic: message.topic, partition: message.partition, offset: message.offset, err: error },
        'not a CloudEvent; rules skip it',
      );
      return undefined;
    }
  };

  const match = async (message: ReceivedMessage): Promise<void> => {
    if (foreign(message)) return;
    const event = decode(message);
    if (event === undefined) return;
    const matched = rules.match(eventView(event));
    if (matched.length === 0) return;
    const out: OutgoingMessage[] = [];
    for (const { record, targets } of matched) {
      for (const id of targets.keys()) {
        out.push({
          headers: { ...message.headers, [DeliveryHeaders.rule]: record.name, [DeliveryHeaders.target]: id },
          payload: message.payload,
          ...(message.key === undefined ? {} : { key: `${record.name}/${id}/${message.key}` }),
        });
      }
    }
    if (out.length > 0) await transport.publish(deliveries, out);
    for (const { record } of matched) counters.add(record.name, 'matched');
  };

  const deliver = async (message: ReceivedMessage): Promise<void> => {
    if (foreign(message)) return;
    const names = deliveryOf(message.headers);
    if (names === undefined) return;
    // A rule created moments ago in another process may not be loaded here yet.
    if (rules.get(names.rule) === undefined) await reload();
    const loaded = rules.get(names.rule)?.targets.get(names.target);
    const event = decode(message);
    if (loaded === undefined || event === undefined) {
      logger.info({ group, ...names }, 'delivery skipped: the rule or its target no longer exists');
      return;
    }
    const attempt = message.deliveryCount;
    try {
      await deliverToTarget(context, { rule: names.rule, loaded, event, view: eventView(event), attempt });
      counters.add(names.rule, 'delivered');
      return;
    } catch (error) {
      const maxAttempts = loaded.target.maxAttempts ?? retry.maxAttempts;
      if (attempt < maxAttempts && retry.isRetryable(error)) {
        const delayMs = backoffDelayMs(attempt, retry);
        logger.warn(
          { group, ...names, eventId: event.id, attempt, delayMs, err: error },
          'delivery failed, retrying',
        );
        if (!transport.capabilities.nackDelay && delayMs > 0) await sleep(delayMs, stopping.signal);
        throw new Nack(transport.capabilities.nackDelay ? delayMs : 0, error);
      }
      const deadLetterTopic =
        loaded.target.deadLetterTopic ?? defaultTargetDeadLetterTopic(group, names.rule, names.target);
      await deadLetterDelivery({ transport, message, error, group, deadLetterTopic, ...names, logger });
      counters.add(names.rule, 'failed');
      logger.error(
        { group, ...names, eventId: event.id, attempt, deadLetterTopic, err: error },
        'delivery dead-lettered',
      );
      if (options.onDeadLetter !== undefined) {
        try {
          await options.onDeadLetter({ ...names, event, error, attempts: attempt, deadLetterTopic });
        } catch (hookError) {
          logger.warn({ group, err: hookError }, 'onDeadLetter hook threw');
        }
      }
    }
  };

  // Background loops: the next run is scheduled when the last one settled, so runs never overlap.
  const loops: { timer?: NodeJS.Timeout }[] = [];
  const every = (ms: number, work: () => Promise<unknown>): void => {
    const loop: { timer?: NodeJS.Timeout } = {};
    loops.push(loop);
    const tick = (): void => {
      loop.timer = setTimeout(() => {
        void work()
          .catch((error: unknown) => logger.warn({ group, err: error }, 'rule engine background work failed'))
          .finally(() => {
            if (state === 'running') tick();
          });
      }, ms);
      loop.timer.unref();
    };
    tick();
  };

  return {
    group,
    async start() {
      if (state !== 'new')
        throw new InvalidOptionError('A rule engine starts once; create a new one to start again.');
      state = 'running';
      await reload();
      subscriptions.push(
        await transport.subscribe(deliveries, { ...subscribeOptions, from: 'earliest' }, deliver),
      );
      for (const source of options.sources) {
        subscriptions.push(
          await transport.subscribe(
            source,
            { ...subscribeOptions, ...(options.from === undefined ? {} : { from: options.from }) },
            match,
          ),
        );
      }
      every(reloadIntervalMs, reload);
      every(countsIntervalMs, flushCounts);
    },
    reload,
    counts: () => counters.totals(),
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      for (const loop of loops) clearTimeout(loop.timer);
      stopping.abort();
      for (const subscription of subscriptions.splice(0).reverse()) await subscription.close();
      await loading;
      await flushCounts();
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
