import { assertTopicName } from '../transport/names.js';
import { Nack } from '../errors/nack.js';
import { type BusEvent, type Middleware } from '../bus/handler-types.js';
import type { Position, ReceivedMessage } from '../transport/message.js';
import { deadLetterHeaders, describeFailure, type DeadLetterMetadata } from '../dlq/dead-letter-format.js';

export interface DeadLetterOptions {
  /** Dead-letter topic of a source topic. Default `<topic>.dlq`. */
  readonly topicFor?: (topic: string) => string;
  /** Longest error stack kept, characters. Default 4 000. */
  readonly maxStackChars?: number;
  /** Redelivery delay when publishing to the dead-letter topic fails, ms. Default 1 000. */
  readonly publishRetryDelayMs?: number;
}

/** What the alert hook (`onDeadLetter`) receives. */
export interface DeadLetterNotice extends DeadLetterMetadata {
  readonly event: BusEvent;
  readonly error: unknown;
  readonly deadLetterTopic: string;
  readonly position: Position;
}

/** Dead-letter topic of a source topic under the default naming. */
export function defaultDeadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

// First failure times live here between redeliveries; bounded so a flood of failing messages
// cannot grow it without limit (the oldest entries go first).
const MAX_TRACKED_FAILURES = 10_000;

/**
 * On a failure that will not be retried (last attempt, or an error the retry policy refuses),
 * publishes the original message with its metadata to the dead-letter topic, then acknowledges
 * it. Earlier failures are rethrown for the retry middleware. Without a retry middleware outside
 * it, every failure is final.
 */
export function deadLetterMiddleware(
  options: DeadLetterOptions,
  onDeadLetter: ((notice: DeadLetterNotice) => void | Promise<void>) | undefined,
): Middleware {
  const topicFor = options.topicFor ?? defaultDeadLetterTopic;
  const maxStackChars = options.maxStackChars ?? 4_000;
  const publishRetryDelayMs = options.publishRetryDelayMs ?? 1_000;
  const firstFailures = new Map<string, number>();

  return (next, info) => async (event, ctx) => {
    const { message } = ctx;
    try {
      await next(event, ctx);
      // Most deliveries never failed: no key to build then.
      if (firstFailures.size > 0) firstFailures.delete(trackKeyOf(message));
      return;
    } catch (error) {
      if (error instanceof Nack) throw error;
      const trackKey = trackKeyOf(message);
      const now = Date.now();
      const firstFailureAt = firstFailures.get(trackKey) ?? now;
      const final = ctx.attempt === undefined || ctx.attempt.final || !ctx.attempt.isRetryable(error);
      if (!final) {
        if (!firstFailures.has(trackKey)) {
          if (firstFailures.size >= MAX_TRACKED_FAILURES) {
            firstFailures.delete(firstFailures.keys().next().value!);
          }
          firstFailures.set(trackKey, now);
        }
        throw error;
      }
      firstFailures.delete(trackKey);
      const metadata: DeadLetterMetadata = {
        ...describeFailure(error, maxStackChars),
        attempts: ctx.deliveryCount,
        firstFailureAt,
        lastFailureAt: now,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        handler: info.name,
        group: info.group,
      };
      const deadLetterTopic = topicFor(message.topic);
      assertTopicName(deadLetterTopic);
      let position: Position;
      try {
        const outgoing = {
          headers: deadLetterHeaders(message.headers, metadata),
          payload: message.payload,
          ...(message.key === undefined ? {} : { key: message.key }),
        };
        [position] = (await info.transport.publish(deadLetterTopic, [outgoing])) as [Position];
      } catch (publishError) {
        ctx.logger.error(
          { handler: info.name, eventId: event.id, deadLetterTopic, err: publishError },
          'could not publish to the dead-letter topic; will redeliver',
        );
        throw new Nack(publishRetryDelayMs, publishError);
      }
      ctx.outcome.deadLettered = true;
      info.metrics.deadLettered({ topic: info.topic, handler: info.name });
      ctx.logger.error(
        { handler: info.name, eventId: event.id, deadLetterTopic, attempts: ctx.deliveryCount, err: error },
        'delivery dead-lettered',
      );
      if (onDeadLetter !== undefined) {
        try {
          await onDeadLetter({ ...metadata, event, error, deadLetterTopic, position });
        } catch (hookError) {
          ctx.logger.warn({ handler: info.name, err: hookError }, 'onDeadLetter hook threw');
        }
      }
    }
  };
}

function trackKeyOf(message: ReceivedMessage): string {
  return `${message.topic}\u0000${message.partition}\u0000${message.offset}`;
}
