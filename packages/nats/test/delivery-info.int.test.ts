import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { deliveryInfoOf } from '../src/delivery-info.js';
import { deleteStreams, unique } from './helpers.js';

describe('deliveryInfoOf', () => {
  it('reads both reply subject formats, with the time in whole milliseconds', () => {
    expect(deliveryInfoOf('$JS.ACK.orders.workers_p0.3.1042.17.1733590000123456789.5')).toEqual({
      deliveryCount: 3,
      streamSequence: 1042,
      publishedAtMs: 1733590000123,
    });
    expect(deliveryInfoOf('$JS.ACK._.ACCHASH.orders.workers_p0.1.7.7.1733590000999999999.0.Xyz12')).toEqual({
      deliveryCount: 1,
      streamSequence: 7,
      publishedAtMs: 1733590000999,
    });
    expect(deliveryInfoOf('$JS.ACK.hub.ACCHASH.s.c.2.9.9.5000000.0')).toEqual({
      deliveryCount: 2,
      streamSequence: 9,
      publishedAtMs: 5,
    });
  });

  it('leaves other subjects to the client (undefined)', () => {
    for (const subject of [
      '',
      '_INBOX.abc',
      '$JS.ACK.s.c.1.2.3',
      '$JS.ACK.s.c.x.2.3.4.5',
      '$JS.ACK.s.c.1..3.4.5',
      '$JS.ACK.s.c.1.2.3.4.5.6',
      '$JS.ACK.s.c.1.2.3.4.5.6.7.8.9.10.11.12.13.14',
      '$JS.ACK.s.c.1.99999999999999999.3.4.5',
    ]) {
      expect(deliveryInfoOf(subject), subject).toBeUndefined();
    }
  });

  it("agrees with the client's msg.info on real deliveries, redeliveries included", async () => {
    const prefix = unique('eddyinfo');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      await jsm.streams.add({ name: `${prefix}_s`, subjects: [`${prefix}.s`] });
      for (let n = 0; n < 5; n++) await js.publish(`${prefix}.s`, new Uint8Array([n]));
      await jsm.consumers.add(`${prefix}_s`, {
        durable_name: 'c',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      const consumer = await js.consumers.get(`${prefix}_s`, 'c');
      const seen: { ours: unknown; theirs: unknown }[] = [];
      const messages = await consumer.consume({ max_messages: 10 });
      for await (const msg of messages) {
        const { deliveryCount, streamSequence, timestampNanos } = msg.info;
        seen.push({
          ours: deliveryInfoOf((msg as unknown as { reply: string }).reply),
          theirs: { deliveryCount, streamSequence, publishedAtMs: Math.floor(timestampNanos / 1e6) },
        });
        // The first delivery of each message is refused, so every one also comes a second time.
        if (deliveryCount === 1) msg.nak();
        else msg.ack();
        if (seen.length === 10) break;
      }
      expect(seen.map(({ ours }) => ours)).toEqual(seen.map(({ theirs }) => theirs));
      expect(seen.filter(({ ours }) => (ours as { deliveryCount: number }).deliveryCount === 2)).toHaveLength(
        5,
      );
    } finally {
      await nc.close();
      await deleteStreams(prefix);
    }
  });
});
