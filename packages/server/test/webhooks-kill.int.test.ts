import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createBus } from '@eddy/core';
import { KillableChild, waitFor } from '@eddy/conformance';
import { createPostgresTransport } from '@eddy/postgres';
import { generateSecret } from '@eddy/webhooks';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { unique } from './helpers.js';

const TEST_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = unique('eddy_test_whkill').replaceAll('-', '_');
const children: KillableChild[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  const client = new pg.Client({ connectionString: TEST_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('gateway webhook dispatch on PostgreSQL under SIGKILL', () => {
  it('a gateway killed mid-delivery loses no delivery: after restarts every event arrives at least once', async () => {
    const count = 60;
    const type = unique('order.placed');
    const secret = generateSecret();
    const verifier = new Webhook(secret);
    const hits: { id: string; verified: boolean }[] = [];
    const held: ServerResponse[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = request.headers as Record<string, string>;
        let verified = true;
        try {
          verifier.verify(Buffer.concat(chunks), headers);
        } catch {
          verified = false;
        }
        hits.push({ id: headers['webhook-id'] ?? '', verified });
        // The 10th and 35th deliveries are left hanging: the gateway is killed while they wait.
        if (hits.length === 10 || hits.length === 35) {
          held.push(response);
          return;
        }
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/count`;
    const fixture = fileURLToPath(new URL('./fixtures/webhook-gateway-child.ts', import.meta.url));
    const child = new KillableChild(fixture, [TEST_URL, schema, receiverUrl, type, secret]);
    children.push(child);
    const publisher = createBus<Record<string, unknown>>({
      transport: await createPostgresTransport({ connectionString: TEST_URL, schema }),
    });
    const expected = Array.from({ length: count }, (_, index) => `evt-${String(index).padStart(4, '0')}`);
    const heldIds: string[] = [];
    try {
      child.start();
      await child.waitReady();
      // Published while the gateway runs and while it is down: its consumer group keeps the rest.
      const publishing = (async () => {
        for (const id of expected) await publisher.publish(type, { id }, { id });
      })();
      for (const heldCount of [1, 2]) {
        await waitFor(() => held.length >= heldCount, {
          timeoutMs: 20_000,
          description: `held delivery ${heldCount}`,
        });
        heldIds.push(hits[heldCount === 1 ? 9 : 34]!.id);
        await child.kill();
        held[heldCount - 1]!.destroy();
        child.start();
        await child.waitReady();
      }
      await publishing;
      const delivered = (): Set<string> => new Set(hits.map((hit) => hit.id));
      // The held deliveries count as received once already; each must also be sent again.
      const resent = (): boolean => heldIds.every((id) => hits.filter((hit) => hit.id === id).length >= 2);
      await waitFor(() => delivered().size === count && resent(), {
        timeoutMs: 30_000,
        description: () => `${count} events delivered and the held ones sent again, got ${delivered().size}`,
      });
      await child.kill();
      expect([...delivered()].sort()).toEqual(expected);
      expect(child.starts).toBe(3);
      // Each delivery in flight at a kill is sent again under the same webhook-id.
      for (const id of heldIds) expect(hits.filter((hit) => hit.id === id).length).toBeGreaterThanOrEqual(2);
      expect(hits.every((hit) => hit.verified)).toBe(true);
    } finally {
      await publisher.stop();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  }, 60_000);
});
