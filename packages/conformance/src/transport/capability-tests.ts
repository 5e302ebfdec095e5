import { ErrorCodes } from '@eddy/core';
import { expect, it } from 'vitest';
import { bytes, type Harness, rejectionCode, textMessages } from './harness.js';

/**
 * What a backend declares it cannot do, it refuses with `EDDY_NOT_SUPPORTED` instead of ignoring.
 * Each case runs on every backend and checks the branch its flag selects, so a flag declared false
 * is tested as much as one declared true. `orderingPerKey`, `consumerGroups` and `durable` have no
 * case here: nothing in the contract asks for them (a group is named in every subscribe, ordering
 * and durability are properties of delivery), so there is no request to refuse; each adapter's
 * own tests pin its declared flags instead.
 */
export function capabilityTests(h: Harness): void {
  it('from: { positions } is refused with EDDY_NOT_SUPPORTED where capabilities.replay is false, accepted where true', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const [position] = await transport.publish(topic, textMessages(['positioned']));
    const subscribing = transport.subscribe(
      topic,
      { group: h.group(), from: { positions: [position!] } },
      () => {},
    );
    if (h.capabilities.replay) {
      await expect(subscribing.then((subscription) => subscription.close())).resolves.toBeUndefined();
    } else {
      expect(await rejectionCode(subscribing)).toBe(ErrorCodes.NotSupported);
    }
  });

  it('from: { time } is refused with EDDY_NOT_SUPPORTED where capabilities.replayFromTime is false, accepted where true', async () => {
    const transport = await h.open();
    const subscribing = transport.subscribe(
      h.topic(),
      { group: h.group(), from: { time: Date.now() - 60_000 } },
      () => {},
    );
    if (h.capabilities.replayFromTime) {
      await expect(subscribing.then((subscription) => subscription.close())).resolves.toBeUndefined();
    } else {
      expect(await rejectionCode(subscribing)).toBe(ErrorCodes.NotSupported);
    }
  });

  it("from: 'earliest' replays history where capabilities.replay is true, and starts at the next message where false", async () => {
    const transport = await h.open();
    const topic = h.topic();
    await transport.publish(topic, textMessages(['history']));
    const { collector } = await h.collect(await h.open(), topic, { group: h.group(), from: 'earliest' });
    await h.sentinel(transport, topic, collector);
    expect(collector.has('history')).toBe(h.capabilities.replay);
  });

  it('nackDelayMs is refused with EDDY_NOT_SUPPORTED where capabilities.nackDelay is false, accepted where true', async () => {
    const transport = await h.open();
    const subscribing = transport.subscribe(h.topic(), { group: h.group(), nackDelayMs: 250 }, () => {});
    if (h.capabilities.nackDelay) {
      await expect(subscribing.then((subscription) => subscription.close())).resolves.toBeUndefined();
    } else {
      expect(await rejectionCode(subscribing)).toBe(ErrorCodes.NotSupported);
    }
  });

  it('deliverAt is refused with EDDY_NOT_SUPPORTED where capabilities.delayedDelivery is false, accepted where true', async () => {
    const transport = await h.open();
    const publishing = transport.publish(h.topic(), [
      { payload: bytes('later'), deliverAt: Date.now() + 60_000 },
    ]);
    if (h.capabilities.delayedDelivery) {
      await expect(publishing).resolves.toHaveLength(1);
    } else {
      expect(await rejectionCode(publishing)).toBe(ErrorCodes.NotSupported);
    }
  });
}
