import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.js';
import { kafkaCapabilities } from '../src/transport.js';

// The conformance suite runs only what a transport declares: a flag turned false here would drop
// its cases silently, so the declared object is pinned whole.
describe('kafka capabilities', () => {
  it('declares everything but delayed delivery, and per-key ordering only with in-place nack redelivery', () => {
    expect(kafkaCapabilities(resolveOptions({}))).toEqual({
      durable: true,
      orderingPerKey: false,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: false,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 1_000_000,
    });
    expect(
      kafkaCapabilities(resolveOptions({ nackRedelivery: 'in-place', maxMessageBytes: 500_000 })),
    ).toEqual({
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: true,
      replayFromTime: true,
      delayedDelivery: false,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 500_000,
    });
  });
});
