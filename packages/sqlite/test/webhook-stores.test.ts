import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  describeDeliveryStoreConformance,
  describeEndpointStoreConformance,
  describeRequestStoreConformance,
  KillableChild,
  waitFor,
} from '@eddy/conformance';
import { createSqliteDeliveryStore, createSqliteEndpointStore, createSqliteRequestStore } from '@eddy/sqlite';
import { generateSecret } from '@eddy/webhooks';
import { Webhook } from 'standardwebhooks';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const children: KillableChild[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  tmp.remove();
});

// Handles share one file, as dispatchers and gateways in several processes would.
const suitePath = tmp.file('webhooks.db');
const options = {
  name: 'sqlite',
  createEndpointStore: () => createSqliteEndpointStore({ database: suitePath }),
  createDeliveryStore: () => createSqliteDeliveryStore({ database: suitePath }),
};
describeEndpointStoreConformance(options);
describeDeliveryStoreConformance(options);
describeRequestStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteRequestStore({ database: suitePath }),
});

interface Hit {
  readonly path: string;
  readonly id: string;
  readonly verified: boolean;
}

describe('SQLite webhook deliveries under SIGKILL', () => {
  it('a dispatcher killed mid-delivery loses nothing, and an ordered endpoint stays in order', async () => {
    const count = 40;
    const secret = generateSecret();
    const verifier = new Webhook(secret);
    const hits: Hit[] = [];
    let hold: ServerResponse | undefined;
    const server = createServer((request, response) => {
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
        hits.push({ path: request.url ?? '', id: headers['webhook-id'] ?? '', verified });
        // The tenth ordered delivery is left hanging: the dispatcher is killed while it waits.
        if (
          hold === undefined &&
          request.url === '/ordered' &&
          hits.filter((h) => h.path === '/ordered').length === 10
        ) {
          hold = response;
          return;
        }
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fixture = fileURLToPath(new URL('./fixtures/webhook-dispatcher-child.ts', import.meta.url));
    const child = new KillableChild(fixture, [tmp.file('kill-webhooks.db'), baseUrl, String(count), secret]);
    children.push(child);
    try {
      child.start();
      await child.waitReady();
      await waitFor(() => hold !== undefined, { timeoutMs: 20_000, description: 'the held delivery' });
      const beforeKill = hits.length;
      await child.kill();
      hold!.destroy();
      child.start();
      await child.waitReady();
      const ids = (path: string): string[] => hits.filter((h) => h.path === path).map((h) => h.id);
      await waitFor(() => new Set(ids('/ordered')).size === count && new Set(ids('/any')).size === count, {
        timeoutMs: 30_000,
        description: () =>
          `${count} deliveries on each endpoint, got ${new Set(ids('/ordered')).size} and ${new Set(ids('/any')).size}`,
      });
      await child.kill();
      const expected = Array.from({ length: count }, (_, index) => `evt-${String(index).padStart(4, '0')}`);
      expect(beforeKill).toBeLessThan(2 * count);
      expect([...new Set(ids('/ordered'))]).toEqual(expected);
      expect([...new Set(ids('/any'))].sort()).toEqual(expected);
      // The held delivery is sent again under the same webhook-id.
      expect(ids('/ordered').filter((id) => id === 'evt-0009').length).toBeGreaterThanOrEqual(2);
      expect(hits.every((hit) => hit.verified)).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 90_000);
});

describe('SQLite request store migration', () => {
  it('adds the callback column to a table made before callbacks, once', async () => {
    const path = tmp.file('old-requests.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE eddy_webhook_requests (
      id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, result TEXT, error TEXT,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
    );
    INSERT INTO eddy_webhook_requests VALUES ('old', 't', 'pending', NULL, NULL, 1, 1, 9999999999999);`);
    db.close();
    for (let open = 0; open < 2; open += 1) {
      const store = createSqliteRequestStore({ database: path });
      expect(await store.get('old', 2)).toEqual({
        id: 'old',
        type: 't',
        status: 'pending',
        createdAt: 1,
        updatedAt: 1,
        expiresAt: 9999999999999,
      });
      await store.create(
        { id: `new-${open}`, type: 't', expiresAt: 10, callbackUrl: 'https://a.example/cb' },
        1,
      );
      expect(await store.get(`new-${open}`, 2)).toMatchObject({ callbackUrl: 'https://a.example/cb' });
      await store.close();
    }
  });
});
