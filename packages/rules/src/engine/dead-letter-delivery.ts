import { Nack, type Logger, type ReceivedMessage, type Transport } from '@eddy/core';
import { assertTopicName, deadLetterHeaders, describeFailure } from '@eddy/core/internal';

/** Redelivery delay when the dead-letter topic cannot be written, ms. */
const PUBLISH_RETRY_DELAY_MS = 1_000;
const MAX_STACK_CHARS = 4_000;

/**
 * Publishes a delivery that failed for good to the target's dead-letter topic, in the format of
 * the bus's dead-letter queues (original headers and payload, `eddy-dlq-*` metadata), so the DLQ
 * admin, CLI and dashboard list and redrive it: a redrive goes back to the deliveries topic and
 * reaches this one target again. Throws a `Nack` when the topic cannot be written, so the
 * delivery is not lost.
 */
export async function deadLetterDelivery(options: {
  readonly transport: Transport;
  readonly message: ReceivedMessage;
  readonly error: unknown;
  readonly group: string;
  readonly rule: string;
  readonly target: string;
  readonly deadLetterTopic: string;
  readonly logger: Logger;
}): Promise<void> {
  const { message, error } = options;
  const now = Date.now();
  assertTopicName(options.deadLetterTopic);
  const headers = deadLetterHeaders(message.headers, {
    ...describeFailure(error, MAX_STACK_CHARS),
    attempts: message.deliveryCount,
    // Attempts are spread over redeliveries; the first failure time is not kept between them.
    firstFailureAt: now,
    lastFailureAt: now,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    handler: `rule ${options.rule} target ${options.target}`,
    group: options.group,
  });
  try {
    await options.transport.publish(options.deadLetterTopic, [
      { headers, payload: message.payload, ...(message.key === undefined ? {} : { key: message.key }) },
    ]);
  } catch (publishError) {
    options.logger.error(
      { group: options.group, rule: options.rule, target: options.target, err: publishError },
      'could not publish to the dead-letter topic; will redeliver',
    );
    throw new Nack(PUBLISH_RETRY_DELAY_MS, publishError);
  }
}
