import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, Nack, isEddyError, type ReceivedMessage, type Transport } from '@eddy/core';
import { createRabbitMqTransport } from '@eddy/rabbitmq';
import { useBrokerTopology } from './broker-file.js';
import { URL, rabbitAvailable, titleFor, uniqueName, waitFor } from './helpers.js';

const available = await rabbitAvailable();
const prefix = uniqueName('eddy-test');

describe.skipIf(!available)(titleFor('RabbitMQ transport', available), () => {
  const openWith = useBrokerTopology(prefix);
  const open = (): Promise<Transport> => openWith({ partitions: 2 });
  let transport: Transport;

  beforeAll(async () => {
    transport = await open();
  });

  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares everything but replay from positions or a time, superseding and native priority', () => {
    expect(transport.capabilities).toEqual({
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: false,
      replayFromTime: false,
      delayedDelivery: true,
      nackDelay: true,
      filtering: true,
      supersede: false,
      maxMessageBytes: 16 * 1024 * 1024,
      leaseExtension: true,
      priority: false,
    });
  });

  it('delivers payload, key and headers intact, at the published position', async () => {
    const topic = uniqueName('roundtrip');
    const received: ReceivedMessage[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g' }, (message) => {
      received.push(message);
    });
    const payload = Uint8Array.from([0, 255, 1, 128, 10, 13]);
    const [position] = await transport.publish(topic, [
      { key: 'order-1', payload, headers: { 'ce-type': 'order.placed', 'x-custom': 'kept' } },
    ]);
    await waitFor(() => received.length === 1);
    const message = received[0]!;
    expect(Buffer.from(message.payload)).toEqual(Buffer.from(payload));
    expect(message.key).toBe('order-1');
    expect(message.headers).toEqual({ 'ce-type': 'order.placed', 'x-custom': 'kept' });
    expect(message.deliveryCount).toBe(1);
    expect({ partition: message.partition, offset: message.offset }).toEqual(position);
    expect(message.topic).toBe(topic);
    await subscription.close();
  });

  it('fans out across groups and shares within a group', async () => {
    const topic = uniqueName('fanout');
    const a: string[] = [];
    const b: string[] = [];
    const subs = await Promise.all([
      transport.subscribe(topic, { group: 'a' }, (m) => void a.push(Buffer.from(m.payload).toString())),
      transport.subscribe(topic, { group: 'a' }, (m) => void a.push(Buffer.from(m.payload).toString())),
      transport.subscribe(topic, { group: 'b' }, (m) => void b.push(Buffer.from(m.payload).toString())),
    ]);
    const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await transport.publish(
      topic,
      bodies.map((body) => ({ payload: Buffer.from(body) })),
    );
    await waitFor(() => a.length >= 20 && b.length >= 20);
    expect([...a].sort()).toEqual([...bodies].sort());
    expect([...b].sort()).toEqual([...bodies].sort());
    await Promise.all(subs.map((s) => s.close()));
  });

  it('redelivers a nacked message with a growing delivery count', async () => {
    const topic = uniqueName('nack');
    const counts: number[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g' }, (message) => {
      counts.push(message.deliveryCount);
      if (message.deliveryCount < 3) throw new Error('not yet');
    });
    await transport.publish(topic, [{ payload: Buffer.from('x') }]);
    await waitFor(() => counts.length === 3);
    expect(counts).toEqual([1, 2, 3]);
    await subscription.close();
  });

  it('honours Nack.delayMs through the delay queues, keeping the delivery count', async () => {
    const topic = uniqueName('nack-delay');
    const seen: { count: number; at: number }[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g' }, (message) => {
      seen.push({ count: message.deliveryCount, at: Date.now() });
      if (message.deliveryCount === 1) throw new Nack(400);
    });
    await transport.publish(topic, [{ payload: Buffer.from('x') }]);
    await waitFor(() => seen.length === 2);
    expect(seen.map((s) => s.count)).toEqual([1, 2]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(390);
    await subscription.close();
  });

  it('holds a message until deliverAt', async () => {
    const topic = uniqueName('deliver-at');
    const seen: { at: number; count: number }[] = [];
    const subscription = await transport.subscribe(topic, { group: 'g' }, (message) => {
      seen.push({ at: Date.now(), count: message.deliveryCount });
    });
    const deliverAt = Date.now() + 700;
    await transport.publish(topic, [{ payload: Buffer.from('later'), deliverAt }]);
    await waitFor(() => seen.length === 1);
    expect(seen[0]!.at).toBeGreaterThanOrEqual(deliverAt - 5);
    expect(seen[0]!.count).toBe(1);
    await subscription.close();
  });

  it('redelivers after the ack timeout and ignores the late result', async () => {
    const topic = uniqueName('ack-timeout');
    const counts: number[] = [];
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const subscription = await transport.subscribe(
      topic,
      { group: 'g', ackTimeoutMs: 300 },
      async (message) => {
        counts.push(message.deliveryCount);
        if (message.deliveryCount === 1) await hung;
      },
    );
    await transport.publish(topic, [{ payload: Buffer.from('slow') }]);
    await waitFor(() => counts.length === 2);
    release();
    expect(counts).toEqual([1, 2]);
    await subscription.close();
  });

  it('keeps per-key order with several handlers in flight', async () => {
    const topic = uniqueName('order');
    const seen = new Map<string, number[]>();
    const subscription = await transport.subscribe(topic, { group: 'g', maxInFlight: 8 }, async (message) => {
      const key = message.key!;
      const value = Number(Buffer.from(message.payload).toString());
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      seen.set(key, [...(seen.get(key) ?? []), value]);
    });
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const messages = Array.from({ length: 100 }, (_, i) => ({
      key: keys[i % keys.length]!,
      payload: Buffer.from(String(i)),
    }));
    await transport.publish(topic, messages);
    await waitFor(() => [...seen.values()].reduce((n, list) => n + list.length, 0) === 100);
    for (const key of keys) {
      const values = seen.get(key)!;
      expect(values).toEqual([...values].sort((x, y) => x - y));
    }
    await subscription.close();
  });

  it('rejects oversize messages, bad names and replay requests with typed errors', async () => {
    const big = await openWith({ maxMessageBytes: 1024 });
    await expect(big.publish('t', [{ payload: new Uint8Array(2048) }])).rejects.toMatchObject({
      code: ErrorCodes.MessageTooLarge,
    });
    await expect(transport.publish('bad topic', [{ payload: new Uint8Array(1) }])).rejects.toMatchObject({
      code: ErrorCodes.InvalidTopic,
    });
    await expect(
      transport.subscribe('t', { group: 'g', from: { time: Date.now() } }, () => undefined),
    ).rejects.toMatchObject({ code: ErrorCodes.NotSupported });
  });

  it('fails fast with typed errors on wrong credentials, unreachable hosts and bad options', async () => {
    const auth = await createRabbitMqTransport({ url: 'amqp://guest:wrong@127.0.0.1:5672' }).catch(
      (error: unknown) => error,
    );
    expect(isEddyError(auth, ErrorCodes.AuthFailed)).toBe(true);
    expect((auth as Error).message).toMatch(/refused the credentials/);
    expect((auth as Error).message).not.toContain('wrong');

    const down = await createRabbitMqTransport({ url: 'amqp://guest:guest@127.0.0.1:1' }).catch(
      (error: unknown) => error,
    );
    expect(isEddyError(down, ErrorCodes.ConnectionFailed)).toBe(true);
    expect((down as Error).message).toMatch(/Cannot reach RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/);

    const vhost = await createRabbitMqTransport({ url: `${URL}/no-such-vhost` }).catch(
      (error: unknown) => error,
    );
    expect(isEddyError(vhost, ErrorCodes.ConnectionFailed)).toBe(true);
    expect((vhost as Error).message).toMatch(/vhost/);

    await expect(createRabbitMqTransport({ url: 'http://localhost' })).rejects.toMatchObject({
      code: ErrorCodes.InvalidOption,
    });
    await expect(createRabbitMqTransport({ partitions: 0 })).rejects.toMatchObject({
      code: ErrorCodes.InvalidOption,
    });
  });

  it('takes over the partitions of a member that crashed (SIGKILL) and redelivers what it held', async () => {
    const topic = uniqueName('crash');
    const fixture = fileURLToPath(new globalThis.URL('./fixtures/hung-member.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@eddy/source', '--import', 'tsx', fixture, URL, prefix, topic, 'g'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => output.includes('ready'), 30_000, 'the crashing member to subscribe');
      const texts = Array.from({ length: 40 }, (_, i) => `c${i}`);
      await transport.publish(
        topic,
        texts.map((text, i) => ({ key: `k${i % 8}`, payload: Buffer.from(text) })),
      );
      await waitFor(() => output.includes('got'), 10_000, 'the crashing member to take messages');
      // The survivor joins while the other member still holds every partition, with handlers stuck.
      const survivor = await openWith({ rebalanceIntervalMs: 200 });
      const received = new Map<string, number>();
      await survivor.subscribe(topic, { group: 'g' }, (m) => {
        received.set(Buffer.from(m.payload).toString(), m.deliveryCount);
      });
      child.kill('SIGKILL');
      await waitFor(() => texts.every((text) => received.has(text)), 20_000, 'every message at the survivor');
      expect([...received.values()].some((count) => count >= 2)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('close waits for in-flight handlers and their acks', async () => {
    const topic = uniqueName('drain');
    const other = await open();
    let finished = 0;
    let started = 0;
    const subscription = await other.subscribe(topic, { group: 'g', maxInFlight: 4 }, async () => {
      started += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
      finished += 1;
    });
    await transport.publish(
      topic,
      [1, 2, 3].map((i) => ({ payload: Buffer.from(String(i)) })),
    );
    await waitFor(() => started === 3);
    await subscription.close();
    expect(finished).toBe(3);
    // Acked, so a new member of the group gets nothing more.
    const again: ReceivedMessage[] = [];
    const next = await transport.subscribe(topic, { group: 'g' }, (m) => void again.push(m));
    await transport.publish(topic, [{ payload: Buffer.from('marker') }]);
    await waitFor(() => again.length >= 1);
    expect(again.map((m) => Buffer.from(m.payload).toString())).toEqual(['marker']);
    await next.close();
  });
});
