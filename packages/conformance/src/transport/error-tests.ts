import { ErrorCodes, type SubscribeOptions } from '@eddy/core';
import { MAX_NAME_LENGTH } from '@eddy/core/internal';
import { expect, it } from 'vitest';
import { bytes, type Harness, rejectionCode, textMessages } from './harness.js';

const BAD_NAMES = [
  '',
  'has space',
  '../up',
  '.hidden',
  '-dash',
  'trailing.',
  'a..b',
  'slash/name',
  'x'.repeat(MAX_NAME_LENGTH + 1),
];

/** Bad input fails the same way on every backend, with a typed error and nothing written. */
export function errorTests(h: Harness): void {
  it('publish rejects bad topic names with EDDY_INVALID_TOPIC', async () => {
    const transport = await h.open();
    for (const name of BAD_NAMES) {
      expect(await rejectionCode(transport.publish(name, textMessages(['x']))), `topic "${name}"`).toBe(
        ErrorCodes.InvalidTopic,
      );
    }
  });

  it('subscribe rejects bad topic names with EDDY_INVALID_TOPIC and bad group names with EDDY_INVALID_GROUP', async () => {
    const transport = await h.open();
    const noop = (): void => {};
    for (const name of BAD_NAMES) {
      expect(
        await rejectionCode(transport.subscribe(name, { group: h.group() }, noop)),
        `topic "${name}"`,
      ).toBe(ErrorCodes.InvalidTopic);
      expect(
        await rejectionCode(transport.subscribe(h.topic(), { group: name }, noop)),
        `group "${name}"`,
      ).toBe(ErrorCodes.InvalidGroup);
    }
  });

  it('an oversize message is rejected with EDDY_MESSAGE_TOO_LARGE and nothing of its batch is published', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const { collector } = await h.collect(transport, topic, { group: h.group() });
    const oversize = { payload: new Uint8Array(h.capabilities.maxMessageBytes + 1) };
    const code = await rejectionCode(
      transport.publish(topic, [
        { payload: bytes('fits-before') },
        oversize,
        { payload: bytes('fits-after') },
      ]),
    );
    expect(code).toBe(ErrorCodes.MessageTooLarge);
    await h.sentinel(transport, topic, collector);
    expect(collector.has('fits-before') || collector.has('fits-after')).toBe(false);
  });

  it('a message whose payload, key and headers together exceed maxMessageBytes is rejected with EDDY_MESSAGE_TOO_LARGE', async () => {
    const transport = await h.open();
    const max = h.capabilities.maxMessageBytes;
    const code = await rejectionCode(
      transport.publish(h.topic(), [
        { key: 'k'.repeat(16), headers: { 'x-pad': 'h'.repeat(64) }, payload: new Uint8Array(max - 40) },
      ]),
    );
    expect(code).toBe(ErrorCodes.MessageTooLarge);
  });

  it('invalid header names are rejected with EDDY_INVALID_HEADER', async () => {
    const transport = await h.open();
    for (const name of ['Upper-Case', 'has space', '', 'ünï']) {
      const code = await rejectionCode(
        transport.publish(h.topic(), [{ headers: { [name]: 'v' }, payload: bytes('x') }]),
      );
      expect(code, `header "${name}"`).toBe(ErrorCodes.InvalidHeader);
    }
  });

  it('out-of-range subscribe options are rejected with EDDY_INVALID_OPTION', async () => {
    const transport = await h.open();
    const bad: Omit<SubscribeOptions, 'group'>[] = [
      { maxInFlight: 0 },
      { maxInFlight: 1.5 },
      { ackTimeoutMs: 0 },
      { nackDelayMs: -1 },
      { from: { time: Number.NaN } },
    ];
    for (const options of bad) {
      const code = await rejectionCode(
        transport.subscribe(h.topic(), { group: h.group(), ...options }, () => {}),
      );
      expect(code, JSON.stringify(options)).toBe(ErrorCodes.InvalidOption);
    }
  });

  it('publish and subscribe after close are rejected with EDDY_CLOSED', async () => {
    const transport = await h.open();
    const topic = h.topic();
    await transport.publish(topic, textMessages(['before-close']));
    await transport.close();
    expect(await rejectionCode(transport.publish(topic, textMessages(['after-close'])))).toBe(
      ErrorCodes.Closed,
    );
    expect(await rejectionCode(transport.subscribe(topic, { group: h.group() }, () => {}))).toBe(
      ErrorCodes.Closed,
    );
  });
}
