import { ErrorCodes, type OutgoingMessage } from '@eddy/core';
import { expect, it } from 'vitest';
import { itWithCapability } from '../skip.js';
import { waitFor } from '../wait-for.js';
import { bytes, type Harness, rejectionCode } from './harness.js';

/** A binary-mode CloudEvent as a transport carries it: attributes in `ce-*` headers. */
function cloudEvent(text: string, type: string, subject?: string): OutgoingMessage {
  const headers: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': text,
    'ce-source': '/conformance',
    'ce-type': type,
    'content-type': 'text/plain',
  };
  if (subject !== undefined) headers['ce-subject'] = subject;
  return { headers, payload: bytes(text) };
}

/**
 * `SubscribeOptions.filter`: run by the transport where `capabilities.filtering`, refused elsewhere.
 * A dropped message is settled for the group, never delivered (to any member) and reported.
 */
export function filterTests(h: Harness): void {
  itWithCapability(
    h,
    'filtering',
    'delivers only the messages the filter accepts and reports each dropped one',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      let filtered = 0;
      const { collector } = await h.collect(transport, topic, {
        group: h.group(),
        from: 'earliest',
        filter: { type: 'order.*', attributes: { exact: { subject: 'eu' } } },
        onFiltered: () => {
          filtered += 1;
        },
      });
      await transport.publish(topic, [
        cloudEvent('placed-eu', 'order.placed', 'eu'),
        cloudEvent('placed-us', 'order.placed', 'us'),
        cloudEvent('paid-eu', 'order.paid', 'eu'),
        cloudEvent('user-eu', 'user.created', 'eu'),
        cloudEvent('placed-none', 'order.placed'),
      ]);
      // Not a binary-mode CloudEvent: the transport cannot read its attributes, so it delivers it.
      await h.sentinel(transport, topic, collector);
      await waitFor(() => filtered === 3, { description: () => `3 filtered, got ${filtered}` });
      expect(
        collector
          .texts()
          .filter((text) => !text.startsWith('sentinel'))
          .sort(),
      ).toEqual(['paid-eu', 'placed-eu']);
    },
  );

  itWithCapability(
    h,
    'filtering',
    'settles dropped messages for the group: a later member without the filter never receives them',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const group = h.group();
      const first = await h.collect(transport, topic, {
        group,
        from: 'earliest',
        filter: { type: 'kept' },
      });
      await transport.publish(topic, [cloudEvent('dropped-1', 'other'), cloudEvent('kept-1', 'kept')]);
      await first.collector.waitForAll(['kept-1']);
      await first.subscription.close();
      const second = await h.collect(await h.open(), topic, { group, from: 'earliest' });
      const sentinel = await h.sentinel(transport, topic, second.collector);
      expect(second.collector.texts()).toEqual([sentinel]);
    },
  );

  itWithCapability(
    h,
    'supersede',
    'settles a last value a newer one of its type and key superseded before delivery, and reports it',
    async () => {
      const transport = await h.open();
      const topic = h.topic();
      const lastValue = (text: string, key: string): OutgoingMessage => {
        const message = cloudEvent(text, 'price.changed');
        return { ...message, key, headers: { ...message.headers, 'ce-supersede': 'true' } };
      };
      // Published before anyone reads, in one batch: the consumer fetches them together.
      await transport.publish(topic, [
        lastValue('a-1', 'a'),
        lastValue('b-1', 'b'),
        lastValue('a-2', 'a'),
        { ...cloudEvent('a-alarm', 'price.changed'), key: 'a' },
        lastValue('a-3', 'a'),
        lastValue('a-4', 'a'),
      ]);
      let superseded = 0;
      const { collector } = await h.collect(transport, topic, {
        group: h.group(),
        from: 'earliest',
        onSuperseded: () => {
          superseded += 1;
        },
      });
      await h.sentinel(transport, topic, collector, 'a');
      const texts = (): string[] => collector.texts().filter((text) => !text.startsWith('sentinel'));
      const lastValuesOfA = (): string[] => texts().filter((text) => /^a-\d$/.test(text));
      // The first value of a key may go out before the next one is fetched; what waited is settled.
      await waitFor(() => superseded + lastValuesOfA().length === 4, {
        description: () =>
          `4 values of key a delivered or superseded, got ${superseded} + ${lastValuesOfA().length}`,
      });
      expect(superseded).toBeGreaterThanOrEqual(2);
      // Per-key order holds: the plain event of key a stays, and the newest value comes after it.
      const ofA = texts().filter((text) => text.startsWith('a-'));
      expect(ofA.slice(-2)).toEqual(['a-alarm', 'a-4']);
      expect(ofA).not.toContain('a-2');
      expect(ofA).not.toContain('a-3');
      expect(texts().filter((text) => text.startsWith('b-'))).toEqual(['b-1']);
    },
  );

  it('filter is refused with EDDY_NOT_SUPPORTED where capabilities.filtering is false, accepted where true', async () => {
    const transport = await h.open();
    const subscribing = transport.subscribe(h.topic(), { group: h.group(), filter: { type: 'a' } }, () => {});
    if (h.capabilities.filtering) {
      await expect(subscribing.then((subscription) => subscription.close())).resolves.toBeUndefined();
    } else {
      expect(await rejectionCode(subscribing)).toBe(ErrorCodes.NotSupported);
    }
  });

  it('a malformed filter or an unknown dialect is rejected with EDDY_INVALID_FILTER', async () => {
    const transport = await h.open();
    const unknownDialect = { attributes: { regex: { type: 'a.*' } } } as never;
    const twoDialects = { attributes: { exact: { type: 'a' }, prefix: { type: 'b' } } } as never;
    for (const filter of [unknownDialect, twoDialects, { attributes: { any: [] } }, { type: '' }]) {
      const subscribing = transport.subscribe(h.topic(), { group: h.group(), filter }, () => {});
      expect(await rejectionCode(subscribing)).toBe(ErrorCodes.InvalidFilter);
    }
  });
}
