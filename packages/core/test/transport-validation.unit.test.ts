import { describe, expect, it } from 'vitest';
import { ErrorCodes, type TransportCapabilities } from '@eddy/core';
import {
  assertGroupName,
  assertTopicName,
  partitionForKey,
  resolveSubscribeOptions,
  validatePublish,
} from '@eddy/core/internal';

const capabilities: TransportCapabilities = {
  durable: true,
  orderingPerKey: true,
  consumerGroups: true,
  replay: true,
  replayFromTime: true,
  delayedDelivery: false,
  nackDelay: true,
  filtering: false,
  supersede: false,
  maxMessageBytes: 1024,
};

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('topic and group names', () => {
  it.each(['orders', 'order.placed', 'order.placed.dlq', 'a_b-c', '0', 'x'.repeat(200)])(
    'accepts %s',
    (name) => {
      expect(codeOf(() => assertTopicName(name))).toBeUndefined();
    },
  );

  it.each(['', '.hidden', '-x', 'a..b', 'trailing.', 'with space', 'star*', 'gt>', 'ü', 'x'.repeat(201)])(
    'rejects %j',
    (name) => {
      expect(codeOf(() => assertTopicName(name))).toBe(ErrorCodes.InvalidTopic);
      expect(codeOf(() => assertGroupName(name))).toBe(ErrorCodes.InvalidGroup);
    },
  );
});

describe('validatePublish', () => {
  const payload = new Uint8Array(10);

  it('rejects oversize messages counting key and headers', () => {
    expect(codeOf(() => validatePublish('t', [{ payload: new Uint8Array(1025) }], capabilities))).toBe(
      ErrorCodes.MessageTooLarge,
    );
    expect(
      codeOf(() =>
        validatePublish(
          't',
          [{ payload: new Uint8Array(1000), headers: { h: 'v'.repeat(30) } }],
          capabilities,
        ),
      ),
    ).toBe(ErrorCodes.MessageTooLarge);
    expect(
      codeOf(() => validatePublish('t', [{ payload: new Uint8Array(1024) }], capabilities)),
    ).toBeUndefined();
  });

  it('rejects bad header names and unsupported delayed delivery', () => {
    expect(
      codeOf(() => validatePublish('t', [{ payload, headers: { 'Upper-Case': 'x' } }], capabilities)),
    ).toBe(ErrorCodes.InvalidHeader);
    expect(codeOf(() => validatePublish('t', [{ payload, deliverAt: Date.now() }], capabilities))).toBe(
      ErrorCodes.NotSupported,
    );
  });

  it('rejects non-byte payloads', () => {
    const bad = [{ payload: 'text' as unknown as Uint8Array }];
    expect(codeOf(() => validatePublish('t', bad, capabilities))).toBe(ErrorCodes.InvalidOption);
  });
});

describe('resolveSubscribeOptions', () => {
  it('fills documented defaults', () => {
    const { onFiltered, onSuperseded, ...resolved } = resolveSubscribeOptions('t', { group: 'g' });
    expect(resolved).toEqual({
      group: 'g',
      from: 'latest',
      maxInFlight: 16,
      ackTimeoutMs: 30_000,
      nackDelayMs: 0,
      filter: undefined,
    });
    // Callbacks default to doing nothing, so a transport calls them without a check.
    expect(() => onFiltered({})).not.toThrow();
    expect(() => onSuperseded({})).not.toThrow();
  });

  it('rejects out-of-range options', () => {
    expect(codeOf(() => resolveSubscribeOptions('t', { group: 'g', maxInFlight: 0 }))).toBe(
      ErrorCodes.InvalidOption,
    );
    expect(codeOf(() => resolveSubscribeOptions('t', { group: 'g', ackTimeoutMs: 1.5 }))).toBe(
      ErrorCodes.InvalidOption,
    );
    expect(codeOf(() => resolveSubscribeOptions('t', { group: 'g', from: { time: Number.NaN } }))).toBe(
      ErrorCodes.InvalidOption,
    );
  });

  it('refuses what the capabilities declare false with EDDY_NOT_SUPPORTED, and accepts it where declared', () => {
    const queue = { ...capabilities, replay: false, replayFromTime: false, nackDelay: false };
    const positions = { positions: [{ partition: 0, offset: '3' }] };
    const time = { time: Date.now() };
    expect(codeOf(() => resolveSubscribeOptions('t', { group: 'g', from: positions }, queue))).toBe(
      ErrorCodes.NotSupported,
    );
    expect(codeOf(() => resolveSubscribeOptions('t', { group: 'g', from: time }, queue))).toBe(
      ErrorCodes.NotSupported,
    );
    expect(codeOf(() => resolveSubscribeOptions('t', { group: 'g', nackDelayMs: 10 }, queue))).toBe(
      ErrorCodes.NotSupported,
    );
    expect(resolveSubscribeOptions('t', { group: 'g', from: 'earliest', nackDelayMs: 0 }, queue).from).toBe(
      'earliest',
    );
    expect(resolveSubscribeOptions('t', { group: 'g', from: positions }, capabilities).from).toBe(positions);
    expect(resolveSubscribeOptions('t', { group: 'g', from: time }, capabilities).from).toBe(time);
    expect(resolveSubscribeOptions('t', { group: 'g', nackDelayMs: 10 }, capabilities).nackDelayMs).toBe(10);
  });
});

describe('partitionForKey', () => {
  it('is stable and spreads keys over every partition', () => {
    expect(partitionForKey('order-1', 8)).toBe(partitionForKey('order-1', 8));
    const seen = new Set(Array.from({ length: 200 }, (_, i) => partitionForKey(`key-${i}`, 8)));
    expect(seen.size).toBe(8);
    expect(partitionForKey('日本語キー', 4)).toBeLessThan(4);
  });
});
