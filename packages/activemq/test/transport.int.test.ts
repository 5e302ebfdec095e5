import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, isEddyError, Nack, type ReceivedMessage, type Transport } from '@eddy/core';
import { waitFor } from '@eddy/conformance';
import { createActiveMqTransport, type ActiveMqConnectionEvent } from '@eddy/activemq';
import { activeMqAvailable, SKIP_REASON, URL, uniqueName } from './helpers.js';
import { RawStomp } from './raw-stomp.js';

const available = await activeMqAvailable();
const text = (message: { payload: Uint8Array }): string => Buffer.from(message.payload).toString();

describe.skipIf(!available)(`ActiveMQ transport${available ? '' : ` (${SKIP_REASON})`}`, () => {
  const transports: Transport[] = [];
  const open = async (): Promise<Transport> => {
    const transport = await createActiveMqTransport({ url: URL });
    transports.push(transport);
    return transport;
  };
  let transport: Transport;
  let raw: RawStomp;

  beforeAll(async () => {
    transport = await open();
    raw = await RawStomp.connect();
  });

  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await raw.close();
  });

  // The conformance suite runs only what a transport declares: a flag turned false would drop its
  // cases silently, so the declared object is pinned whole.
  it('declares everything but replay from positions or a time', () => {
    expect(transport.capabilities).toEqual({
      durable: true,
      orderingPerKey: true,
      consumerGroups: true,
      replay: false,
      replayFromTime: false,
      delayedDelivery: true,
      nackDelay: true,
      filtering: false,
      supersede: false,
      maxMessageBytes: 4 * 1024 * 1024,
    });
  });

  it('keeps groups whose names differ only by dots apart, and fans out to each', async () => {
    const topic = uniqueName('dots');
    const seen = new Map<string, string[]>();
    const subscribe = (group: string) =>
      transport.subscribe(
        topic,
        { group },
        (m) => void seen.set(group, [...(seen.get(group) ?? []), text(m)]),
      );
    await Promise.all(['billing', 'billing.eu', 'billing.eu.north'].map(subscribe));
    await transport.publish(topic, [{ payload: Buffer.from('one') }, { payload: Buffer.from('two') }]);
    await waitFor(() => [...seen.values()].every((list) => list.length >= 2) && seen.size === 3);
    await transport.publish(topic, [{ payload: Buffer.from('marker') }]);
    await waitFor(() => [...seen.values()].every((list) => list.includes('marker')));
    for (const list of seen.values()) expect(list).toEqual(['one', 'two', 'marker']);
  });

  it('carries header names the broker gives a meaning to, and eddy_ names, unchanged', async () => {
    const topic = uniqueName('reserved');
    const received: ReceivedMessage[] = [];
    await transport.subscribe(topic, { group: 'g' }, (m) => void received.push(m));
    const headers = {
      type: 'not-a-jms-type',
      destination: '/queue/elsewhere',
      priority: '9',
      expires: '1',
      persistent: 'false',
      'message-id': 'mine',
      eddy_key: 'not-the-key',
      'activemq.prefetchsize': '1',
      'content-type': 'application/json',
      'ce-source': 'urn:with space',
    };
    await transport.publish(topic, [{ key: 'the-key', headers, payload: Buffer.from('{}') }]);
    await waitFor(() => received.length === 1);
    expect(received[0]!.headers).toEqual(headers);
    expect(received[0]!.key).toBe('the-key');
  });

  it('keeps white space at either end of header values and keys, which STOMP clients trim', async () => {
    const topic = uniqueName('spaces');
    const received: ReceivedMessage[] = [];
    await transport.subscribe(topic, { group: 'g' }, (m) => void received.push(m));
    const headers = {
      'x-padded': '  both ',
      'x-tab': '\tleading',
      'ce-subject': ' spaced%20out ',
      type: ' reserved ',
    };
    await transport.publish(topic, [{ key: ' key ', headers, payload: Buffer.from('x') }]);
    await waitFor(() => received.length === 1);
    expect(received[0]!.headers).toEqual(headers);
    expect(received[0]!.key).toBe(' key ');
  });

  it('refuses a header line the broker would refuse, publishing nothing of the batch', async () => {
    const topic = uniqueName('long-header');
    const received: string[] = [];
    await transport.subscribe(topic, { group: 'g' }, (m) => void received.push(text(m)));
    const publishing = transport.publish(topic, [
      { payload: Buffer.from('fits') },
      { headers: { 'x-long': 'v'.repeat(11 * 1024) }, payload: Buffer.from('too-long') },
    ]);
    await expect(publishing).rejects.toMatchObject({ code: ErrorCodes.InvalidHeader });
    await transport.publish(topic, [{ payload: Buffer.from('after') }]);
    await waitFor(() => received.includes('after'));
    expect(received).toEqual(['after']);
  });

  it('counts a message the broker returned after its consumer died as a redelivery', async () => {
    const topic = uniqueName('returned');
    const group = 'g';
    const queue = `/queue/Consumer.${group}.VirtualTopic.${topic}`;
    const dying = await RawStomp.connect();
    let held = false;
    await dying.subscribe(queue, () => (held = true));
    await transport.publish(topic, [{ payload: Buffer.from('held') }]);
    await waitFor(() => held);
    const received: ReceivedMessage[] = [];
    await transport.subscribe(topic, { group }, (m) => void received.push(m));
    await dying.kill();
    await waitFor(() => received.length === 1);
    expect(text(received[0]!)).toBe('held');
    expect(received[0]!.deliveryCount).toBe(2);
  });

  it('retries a keyed message in place after Nack.delayMs, before later messages of its key', async () => {
    const topic = uniqueName('keyed-delay');
    const steps: { text: string; count: number; at: number }[] = [];
    await transport.subscribe(topic, { group: 'g', maxInFlight: 4 }, (m) => {
      steps.push({ text: text(m), count: m.deliveryCount, at: Date.now() });
      if (text(m) === 'k-1' && m.deliveryCount === 1) throw new Nack(300);
    });
    await transport.publish(
      topic,
      ['k-0', 'k-1', 'k-2', 'k-3'].map((body) => ({ key: 'k', payload: Buffer.from(body) })),
    );
    await waitFor(() => steps.length === 5);
    expect(steps.map((step) => `${step.text}#${step.count}`)).toEqual([
      'k-0#1',
      'k-1#1',
      'k-1#2',
      'k-2#1',
      'k-3#1',
    ]);
    expect(steps[2]!.at - steps[1]!.at).toBeGreaterThanOrEqual(290);
  });

  it('hands a delayed keyed retry to the group when its member closes, with the rest of its delay and its delivery count', async () => {
    const topic = uniqueName('handover');
    const leaving = await open();
    let failedAt = 0;
    const subscription = await leaving.subscribe(topic, { group: 'g' }, () => {
      failedAt = Date.now();
      throw new Nack(1_500);
    });
    await transport.publish(topic, [{ key: 'k', payload: Buffer.from('handed-over') }]);
    await waitFor(() => failedAt > 0);
    await subscription.close();
    const received: { message: ReceivedMessage; at: number }[] = [];
    const staying = await open();
    await staying.subscribe(topic, { group: 'g' }, (m) => void received.push({ message: m, at: Date.now() }));
    await waitFor(() => received.length === 1);
    expect(text(received[0]!.message)).toBe('handed-over');
    expect(received[0]!.message.deliveryCount).toBe(2);
    expect(received[0]!.at - failedAt).toBeGreaterThanOrEqual(1_450);
  });

  it('rejects offsets and times as start positions with EDDY_NOT_SUPPORTED', async () => {
    await expect(
      transport.subscribe('t', { group: 'g', from: { time: Date.now() } }, () => undefined),
    ).rejects.toMatchObject({ code: ErrorCodes.NotSupported });
    await expect(
      transport.subscribe(
        't',
        { group: 'g', from: { positions: [{ partition: 0, offset: '1' }] } },
        () => undefined,
      ),
    ).rejects.toMatchObject({ code: ErrorCodes.NotSupported });
  });

  it('reports disconnected and reconnected when its connection drops, and consumes again by itself', async () => {
    // A TCP relay to the broker, so the test can cut this transport's connection and nothing else.
    const broker = new globalThis.URL(URL);
    const relayed: Socket[] = [];
    const relay = createServer((client) => {
      const upstream = connectTcp({ host: broker.hostname, port: Number(broker.port || 61613) });
      client.pipe(upstream).pipe(client);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
      relayed.push(client, upstream);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const viaRelay = new globalThis.URL(URL);
    viaRelay.host = `127.0.0.1:${(relay.address() as { port: number }).port}`;
    const events: ActiveMqConnectionEvent[] = [];
    try {
      const dropped = await createActiveMqTransport({
        url: viaRelay.href,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
        onConnectionEvent: (event) => events.push(event),
      });
      transports.push(dropped);
      const topic = uniqueName('dropped');
      const got: string[] = [];
      await dropped.subscribe(topic, { group: 'g' }, (message) => void got.push(text(message)));
      await dropped.publish(topic, [{ payload: Buffer.from('before') }]);
      await waitFor(() => got.includes('before'), { description: 'the message before the drop' });
      for (const socket of relayed.splice(0)) socket.destroy();
      await waitFor(() => events.some((event) => event.type === 'reconnected'), {
        description: 'the reconnection',
      });
      await dropped.publish(topic, [{ payload: Buffer.from('after') }]);
      await waitFor(() => got.includes('after'), { description: 'the message after the drop' });
      expect(events.map((event) => event.type).slice(0, 2)).toEqual(['disconnected', 'reconnected']);
      // 'before' may come twice: an ack still on its way when the connection dropped is lost with it.
      expect(new Set(got)).toEqual(new Set(['before', 'after']));
    } finally {
      for (const socket of relayed) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  describe('connecting', () => {
    let silent: Server;
    let silentPort = 0;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      // Accepts TCP connections and never answers, like a port that is not a STOMP connector.
      silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentPort = (silent.address() as { port: number }).port;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('fails with EDDY_AUTH_FAILED on a wrong password, without showing it', async () => {
      const error = await createActiveMqTransport({ url: 'stomp://eddy:wrong-pass@127.0.0.1:61613' }).catch(
        (thrown: unknown) => thrown,
      );
      expect(isEddyError(error, ErrorCodes.AuthFailed)).toBe(true);
      expect((error as Error).message).toMatch(/refused the credentials/);
      expect((error as Error).message).toContain('stomp://eddy:***@127.0.0.1:61613');
      expect((error as Error).message).not.toContain('wrong-pass');
    });

    it('connects with the right password', async () => {
      const authenticated = await createActiveMqTransport({
        url: 'stomp://eddy:eddy-secret@127.0.0.1:61613',
      });
      transports.push(authenticated);
      await expect(
        authenticated.publish(uniqueName('auth'), [{ payload: Buffer.from('x') }]),
      ).resolves.toHaveLength(1);
    });

    it('fails with EDDY_CONNECTION_FAILED (retriable) on a closed port, password masked', async () => {
      const error = await createActiveMqTransport({ url: 'stomp://eddy:secret@127.0.0.1:1' }).catch(
        (thrown: unknown) => thrown,
      );
      expect(isEddyError(error, ErrorCodes.ConnectionFailed)).toBe(true);
      expect((error as { retriable?: boolean }).retriable).toBe(true);
      expect((error as Error).message).toMatch(
        /Cannot reach ActiveMQ at stomp:\/\/eddy:\*\*\*@127\.0\.0\.1:1/,
      );
    });

    it('fails with EDDY_TIMEOUT when the port never completes a STOMP handshake', async () => {
      const error = await createActiveMqTransport({
        url: `stomp://127.0.0.1:${silentPort}`,
        connectTimeoutMs: 300,
      }).catch((thrown: unknown) => thrown);
      expect(isEddyError(error, ErrorCodes.Timeout)).toBe(true);
      expect((error as Error).message).toMatch(/STOMP connector/);
    });

    it('rejects bad urls and options with EDDY_INVALID_OPTION', async () => {
      for (const options of [
        { url: 'amqp://127.0.0.1:5672' },
        { url: 'not a url' },
        { maxMessageBytes: 0 },
        { maxMessageBytes: 200 * 1024 * 1024 },
        { prefetch: 0 },
        { reconnect: { initialDelayMs: 10, maxDelayMs: 5 } },
      ]) {
        await expect(createActiveMqTransport(options), JSON.stringify(options)).rejects.toMatchObject({
          code: ErrorCodes.InvalidOption,
        });
      }
    });
  });
});
