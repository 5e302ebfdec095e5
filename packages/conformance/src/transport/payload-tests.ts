import { expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { bytes, type Harness, textOf } from './harness.js';

const MIB = 1024 * 1024;
// Room for key and headers next to the payload when checking against maxMessageBytes.
const HEADROOM_BYTES = 1024;

/** Headers, binary payloads and keys must come out exactly as they went in. */
export function payloadTests(h: Harness): void {
  it('headers arrive intact: several names, unicode and empty values', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const { collector } = await h.collect(transport, topic, { group: h.group() });
    const headers = {
      'ce-id': 'a1b2',
      'ce-type': 'com.example.order.placed',
      'x-unicode': 'Grüße, 世界 🎉',
      'x-empty': '',
      'x.dotted_and-dashed': 'ok',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    };
    await transport.publish(topic, [{ headers, payload: bytes('with-headers') }]);
    await collector.waitForAll(['with-headers']);
    expect({ ...collector.received[0]!.message.headers }).toMatchObject(headers);
  });

  it('a binary payload with every byte value arrives intact', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const payload = new Uint8Array(1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) % 256;
    const received: Uint8Array[] = [];
    await transport.subscribe(topic, { group: h.group() }, (message) => {
      received.push(message.payload);
    });
    await transport.publish(topic, [{ payload }]);
    await waitForLength(received, 1);
    expect(received[0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(received[0]!).equals(Buffer.from(payload))).toBe(true);
  });

  it('an empty payload arrives as an empty Uint8Array', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const received: Uint8Array[] = [];
    await transport.subscribe(topic, { group: h.group() }, (message) => {
      received.push(message.payload);
    });
    await transport.publish(topic, [{ key: 'empty', payload: new Uint8Array(0) }]);
    await waitForLength(received, 1);
    expect(received[0]).toBeInstanceOf(Uint8Array);
    expect(received[0]!.byteLength).toBe(0);
  });

  const largeBytes = Math.min(MIB, h.capabilities.maxMessageBytes - HEADROOM_BYTES);
  const largeName =
    largeBytes === MIB
      ? 'a 1 MiB payload arrives intact'
      : `a ${largeBytes}-byte payload (largest this transport allows; maxMessageBytes is below 1 MiB) arrives intact`;
  it(largeName, async () => {
    const transport = await h.open();
    const topic = h.topic();
    const payload = new Uint8Array(largeBytes);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 8)) % 256;
    const received: Uint8Array[] = [];
    await transport.subscribe(topic, { group: h.group() }, (message) => {
      received.push(message.payload);
    });
    await transport.publish(topic, [{ key: 'large', headers: { 'x-size': String(largeBytes) }, payload }]);
    await waitForLength(received, 1);
    expect(received[0]!.byteLength).toBe(largeBytes);
    expect(Buffer.from(received[0]!).equals(Buffer.from(payload))).toBe(true);
  });

  it('unicode keys arrive intact and keep one partition each', async () => {
    const transport = await h.open();
    const topic = h.topic();
    const keys = ['订单-42', 'Ünïcödé', '🎉-party', 'ключ', 'مفتاح', 'a b/c:d'];
    const { collector } = await h.collect(transport, topic, { group: h.group() });
    const messages = keys.flatMap((key) => [0, 1, 2].map((n) => ({ key, payload: bytes(`${key}#${n}`) })));
    const positions = await transport.publish(topic, messages);
    await collector.waitForAll(messages.map((message) => textOf(message)));
    for (const entry of collector.received) {
      expect(entry.text.startsWith(`${entry.message.key}#`)).toBe(true);
    }
    for (let k = 0; k < keys.length; k++) {
      expect(new Set(positions.slice(k * 3, k * 3 + 3).map((p) => p.partition)).size).toBe(1);
    }
  });
}

async function waitForLength(list: readonly unknown[], length: number): Promise<void> {
  await waitFor(() => list.length >= length, { description: `${length} message(s)` });
}
