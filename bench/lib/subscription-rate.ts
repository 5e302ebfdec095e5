import type { SubscribeOptions, Transport } from '@eddy/core';

import { DeliveryMeter } from './report.js';

/**
 * Subscribes with an empty handler until `expected` messages have arrived, closes the subscription
 * and returns msg/s from the first delivery: to the last delivery (`'last'`), or to the end of
 * `close()` (`'closed'`), for transports whose acks are only written by then.
 */
export async function subscriptionRate(
  transport: Transport,
  topic: string,
  options: SubscribeOptions,
  expected: number,
  until: 'last' | 'closed' = 'last',
): Promise<number> {
  const meter = new DeliveryMeter(expected);
  const subscription = await transport.subscribe(topic, options, () => meter.record());
  await meter.done;
  await subscription.close();
  return meter.rate(until === 'closed' ? 'now' : 'last');
}
