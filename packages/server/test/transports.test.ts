import { describe, expect, it } from 'vitest';
import { json, post, startTestServer, unique } from './helpers.js';

interface Delivery {
  ackId: string;
  event: { id: string; data: unknown };
}

// The gateway uses only the transport contract, so a publish/pull/ack round trip proves the wiring
// on each broker this machine provides (the transports' semantics are proven by the conformance suite).
const BACKENDS: [string, string][] = [
  ['postgres', 'postgres://postgres@127.0.0.1:5432/test'],
  ['redis', 'redis://127.0.0.1:6379'],
];

describe.each(BACKENDS)('gateway on %s (transportUrl)', (name, transportUrl) => {
  it('publishes, pulls and acks through the broker', async () => {
    const server = await startTestServer({ transportUrl });
    try {
      expect(await json(await fetch(`${server.url}/ready`))).toEqual({ status: 'ready', transport: name });
      const topic = unique(`gw-${name}`);
      const group = unique('g');
      // Create the group first: on brokers a new group starts at 'latest' unless told otherwise.
      const empty = await fetch(
        `${server.url}/v1/topics/${topic}/groups/${group}/messages?from=earliest&max=1`,
      );
      expect(empty.status).toBe(200);
      const published = await json<{ positions: { id: string }[] }>(
        await post(`${server.url}/v1/topics/${topic}/events`, [{ data: { n: 1 } }, { data: { n: 2 } }]),
      );
      const received: Delivery[] = [];
      const deadline = Date.now() + 20_000;
      while (received.length < 2 && Date.now() < deadline) {
        const response = await fetch(
          `${server.url}/v1/topics/${topic}/groups/${group}/messages?max=10&wait=2`,
        );
        const { messages } = await json<{ messages: Delivery[] }>(response);
        received.push(...messages);
        if (messages.length > 0) {
          const ack = await json(
            await post(`${server.url}/v1/topics/${topic}/groups/${group}/ack`, {
              ackIds: messages.map((m) => m.ackId),
            }),
          );
          expect(ack).toEqual({ settled: messages.length, unknown: [] });
        }
      }
      expect(received.map((m) => m.event.id).sort()).toEqual(published.positions.map((p) => p.id).sort());
      // Both transports offer the gateway an admin: topics list through it.
      const listed = await json<{ topics: { name: string }[] }>(await fetch(`${server.url}/v1/topics`));
      expect(listed.topics.map((entry) => entry.name)).toContain(topic);
    } finally {
      await server.close();
    }
  });
});

describe('transportUrl', () => {
  it('rejects an unknown scheme without echoing credentials', async () => {
    await expect(startTestServer({ transportUrl: 'kafka://user:secret@host:9092' })).rejects.toThrow(
      /must start with postgres/,
    );
    await expect(startTestServer({ transportUrl: 'kafka://user:secret@host:9092' })).rejects.not.toThrow(
      /secret/,
    );
  });
});
