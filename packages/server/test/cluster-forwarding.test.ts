import { MemoryInstanceChannel, MemoryLeaderLease } from '@eddy/core/internal';
import { createSqliteTransport } from '@eddy/sqlite';
import { createServer, type Coordination } from '@eddy/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, post, startTestServer, unique, type TestServer } from './helpers.js';

// Two gateways in one process on one SQLite log, with in-memory coordination: the forwarding
// logic alone, quickly (the backends' own channels are tested in coordination.test.ts and the
// cluster-*.test.ts files).
const dir = mkdtempSync(join(tmpdir(), 'eddy-forwarding-'));
const transport = createSqliteTransport({ path: join(dir, 'log.db') });
const coordination: Coordination = {
  leader: new MemoryLeaderLease(),
  channel: new MemoryInstanceChannel(),
  close: () => Promise.resolve(),
};
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  const options = { transport, cluster: { coordination, forwardTimeoutMs: 5_000 } };
  [a, b] = await Promise.all([startTestServer(options), startTestServer(options)]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await transport.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Pulled {
  messages: { ackId: string; deliveryCount: number; event: { id: string } }[];
}

describe('pull settles forwarded between gateway instances', () => {
  it('acks and nacks a lease through the instance that did not make it', async () => {
    const topic = unique('fwd');
    const published = await post(`${a.url}/v1/topics/${topic}/events`, [
      { type: 't', id: 'one', data: 1 },
      { type: 't', id: 'two', data: 2 },
    ]);
    expect(published.status).toBe(200);
    // The two events may sit in different partitions, and a pull answers with what is there when
    // the first arrives: pull until both are leased.
    const leased: Pulled['messages'] = [];
    const pullDeadline = Date.now() + 10_000;
    while (leased.length < 2 && Date.now() < pullDeadline) {
      const pulled = await json<Pulled>(
        await fetch(`${a.url}/v1/topics/${topic}/groups/g/messages?max=10&wait=5&from=earliest`),
      );
      leased.push(...pulled.messages);
    }
    expect(leased.map((message) => message.event.id).sort()).toEqual(['one', 'two']);
    const [first, second] = leased;

    const acked = await json<{ settled: number; unknown: string[] }>(
      await post(`${b.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: [first!.ackId] }),
    );
    expect(acked).toEqual({ settled: 1, unknown: [] });
    // Settled once: asking again, through either instance, finds nothing.
    for (const server of [a, b]) {
      const again = await json<{ settled: number; unknown: string[] }>(
        await post(`${server.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: [first!.ackId] }),
      );
      expect(again).toEqual({ settled: 0, unknown: [first!.ackId] });
    }

    const nacked = await json<{ settled: number }>(
      await post(`${b.url}/v1/topics/${topic}/groups/g/nack`, { ackIds: [second!.ackId] }),
    );
    expect(nacked.settled).toBe(1);
    // The nacked one comes back (to whichever instance's bridge holds it), the acked one never.
    const seen: { id: string; deliveryCount: number }[] = [];
    const deadline = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < deadline) {
      for (const server of [a, b]) {
        const again = await json<Pulled>(
          await fetch(`${server.url}/v1/topics/${topic}/groups/g/messages?max=10&wait=0.2`),
        );
        seen.push(...again.messages.map((m) => ({ id: m.event.id, deliveryCount: m.deliveryCount })));
      }
    }
    expect(seen).toEqual([{ id: second!.event.id, deliveryCount: 2 }]);
  });

  it('answers made-up and foreign ack ids as unknown without waiting for an instance', async () => {
    const topic = unique('fwd');
    const ids = ['no-dot', 'not-an-instance.1', 'AAAAAAAAAAAA.1', `${a.handle.server.instance}.zz`];
    const started = Date.now();
    const result = await json<{ settled: number; unknown: string[] }>(
      await post(`${b.url}/v1/topics/${topic}/groups/g/ack`, { ackIds: ids }),
    );
    expect(result.settled).toBe(0);
    expect([...result.unknown].sort()).toEqual([...ids].sort());
    // Only the well-formed id of no live instance waits for the forward timeout (5 s); the
    // made-up ones and the one answered by a live instance do not.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    const quick = Date.now();
    const fast = await json<{ unknown: string[] }>(
      await post(`${b.url}/v1/topics/${topic}/groups/g/ack`, {
        ackIds: ids.filter((id) => id !== 'AAAAAAAAAAAA.1'),
      }),
    );
    expect(fast.unknown).toHaveLength(3);
    expect(Date.now() - quick).toBeLessThan(2_000);
  });

  it('refuses cluster mode on the embedded log without a coordination', async () => {
    await expect(
      createServer({ dataDir: dir, port: 0, logLevel: 'silent', env: {}, cluster: true }),
    ).rejects.toMatchObject({
      code: 'EDDY_INVALID_OPTION',
    });
    await expect(
      createServer({ dataDir: dir, port: 0, logLevel: 'silent', env: { EDDY_CLUSTER: '1' } }),
    ).rejects.toMatchObject({ code: 'EDDY_INVALID_OPTION' });
  });
});
