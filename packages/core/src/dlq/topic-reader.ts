import { randomUUID } from 'node:crypto';
import { NotSupportedError } from '../errors/errors.js';
import type { ReceivedMessage } from '../transport/message.js';
import type { Transport } from '../transport/transport.js';

/**
 * Reads every message of a topic through the transport contract alone: a throwaway consumer group
 * from `'earliest'`, until no message arrived for `idleMs`. Needs `capabilities.replay`. The
 * throwaway group stays behind on backends that persist groups (harmless, it never reads again).
 */
export async function readWholeTopic(
  transport: Transport,
  topic: string,
  options: { readonly idleMs: number; readonly maxWaitMs: number },
): Promise<ReceivedMessage[]> {
  if (!transport.capabilities.replay) {
    throw new NotSupportedError(
      `The ${transport.name} transport cannot replay a topic, so its dead-letter topics cannot be listed. ` +
        'Use a transport with capabilities.replay for DLQ administration.',
    );
  }
  const messages: ReceivedMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const armIdle = (): void => {
    clearTimeout(timer);
    timer = setTimeout(finish, options.idleMs);
  };
  const subscription = await transport.subscribe(
    topic,
    { group: `eddy-dlq-admin-${randomUUID()}`, from: 'earliest', maxInFlight: 256 },
    (message) => {
      messages.push(message);
      armIdle();
    },
  );
  // Armed once the subscription is live: a slow subscribe must not count as an idle topic.
  const deadline = setTimeout(finish, options.maxWaitMs);
  armIdle();
  try {
    await done;
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
    await subscription.close();
  }
  return messages;
}
