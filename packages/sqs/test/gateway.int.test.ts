import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '@eddy/server';
import { startEmulator, type Emulator } from './emulator.js';

interface Delivery {
  readonly ackId: string;
  readonly event: { readonly id: string };
}

// The gateway picks the transport from its URL; a publish/pull/ack round trip proves the wiring.
describe('gateway on sqs:// (transportUrl)', () => {
  let emulator: Emulator;
  let server: ServerHandle;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'eddy-sqs-gateway-'));
    server = await startServer({
      dataDir: dir,
      port: 0,
      logLevel: 'silent',
      env: {},
      transportUrl: emulator.url,
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  });

  it('publishes, pulls and acks through SNS and SQS', async () => {
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready', transport: 'sqs' });
    const base = `${server.url}/v1/topics/gw-orders/groups/billing`;
    // The first pull creates the group's queue; the group receives what is published after it.
    expect((await fetch(`${base}/messages?max=1`)).status).toBe(200);
    const published = (await (
      await fetch(`${server.url}/v1/topics/gw-orders/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ data: { n: 1 } }, { data: { n: 2 } }]),
      })
    ).json()) as { positions: { id: string }[] };
    const received: Delivery[] = [];
    const deadline = Date.now() + 20_000;
    while (received.length < 2 && Date.now() < deadline) {
      const { messages } = (await (await fetch(`${base}/messages?max=10&wait=2`)).json()) as {
        messages: Delivery[];
      };
      received.push(...messages);
      if (messages.length === 0) continue;
      const ack = await fetch(`${base}/ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ackIds: messages.map((message) => message.ackId) }),
      });
      expect(await ack.json()).toEqual({ settled: messages.length, unknown: [] });
    }
    expect(received.map((message) => message.event.id).sort()).toEqual(
      published.positions.map((position) => position.id).sort(),
    );
  });
});
