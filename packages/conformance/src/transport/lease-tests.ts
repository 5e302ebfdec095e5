import { expect } from 'vitest';
import { waitFor } from '../wait-for.js';
import { itUnless, itWithCapability } from '../skip.js';
import { type Harness, textMessages } from './harness.js';

/**
 * Long-running deliveries: where `capabilities.leaseExtension` is true, `Subscription.extendLease`
 * keeps a message whose handler runs past `ackTimeoutMs` from being redelivered; where false, the
 * subscription offers no `extendLease` at all (the bus refuses `longRunning` handlers).
 */
export function leaseTests(h: Harness): void {
  itWithCapability(
    h,
    'leaseExtension',
    'a handler that extends its lease runs past ackTimeoutMs without a redelivery',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const gate = h.gate();
      const ackTimeoutMs = h.ackTimeoutMs;
      const extended: number[] = [];
      // Nothing is published before `subscribe` resolves, so the handler always finds the subscription.
      const { collector, subscription } = await h.collect(
        transport,
        topic,
        { group: h.group(), ackTimeoutMs },
        async (message) => {
          await subscription.extendLease!(message, ackTimeoutMs * 8);
          extended.push(Date.now());
          await gate.promise;
        },
      );
      expect(typeof subscription.extendLease).toBe('function');
      await transport.publish(topic, textMessages(['slow']));
      await waitFor(() => extended.length === 1, { description: 'the lease extension' });
      // The point of the case is elapsed time: three ack timeouts pass with the handler still running.
      const until = extended[0]! + ackTimeoutMs * 3;
      await waitFor(() => Date.now() >= until || collector.count('slow') > 1, {
        timeoutMs: ackTimeoutMs * 3 + 5_000,
        description: 'three ack timeouts',
      });
      expect(collector.count('slow')).toBe(1);
      gate.open();
      await h.sentinel(transport, topic, collector);
      expect(collector.count('slow')).toBe(1);
    },
  );

  itWithCapability(
    h,
    'leaseExtension',
    'without an extension the same slow handler is redelivered after ackTimeoutMs',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const gate = h.gate();
      const { collector } = await h.collect(
        transport,
        topic,
        { group: h.group(), ackTimeoutMs: h.ackTimeoutMs },
        (message) => (message.deliveryCount === 1 ? gate.promise : undefined),
      );
      await transport.publish(topic, textMessages(['slow']));
      await waitFor(() => collector.count('slow') >= 2, {
        timeoutMs: h.ackTimeoutMs * 10 + 5_000,
        description: 'the redelivery',
      });
      gate.open();
      expect(collector.received[1]!.message.deliveryCount).toBeGreaterThanOrEqual(2);
    },
  );

  itUnless(
    h.capabilities.leaseExtension === true
      ? `${h.name} extends leases: the refusal does not apply`
      : undefined,
    'a subscription offers no extendLease where capabilities.leaseExtension is false',
    async () => {
      const transport = await h.open();
      const { subscription } = await h.collect(transport, h.topic(), { group: h.group() });
      expect(typeof subscription.extendLease).toBe('undefined');
    },
  );
}
