import { applyEndpointUpdate, type Endpoint, type EndpointStore } from '@eddy/webhooks';
import type { PoolSource } from '../connection.js';
import { openWebhookStore } from './open-store.js';

/** An `EndpointStore` on PostgreSQL (`<schema>.webhook_endpoints`, one JSON document per endpoint). */
export async function createPostgresEndpointStore(options: PoolSource): Promise<EndpointStore> {
  const store = await openWebhookStore(options, 'endpoint store');
  const table = store.tables.endpoints;
  return {
    async create(endpoint, now) {
      const stored: Endpoint = { ...endpoint, createdAt: now, updatedAt: now };
      const result = await store.query(
        'creating an endpoint',
        `INSERT INTO ${table} (id, endpoint) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
        [endpoint.id, JSON.stringify(stored)],
      );
      return (result.rowCount ?? 0) > 0 ? stored : undefined;
    },
    async get(id) {
      const { rows } = await store.query<{ endpoint: Endpoint }>(
        'reading an endpoint',
        `SELECT endpoint FROM ${table} WHERE id = $1`,
        [id],
      );
      return rows[0]?.endpoint;
    },
    async list() {
      const { rows } = await store.query<{ endpoint: Endpoint }>(
        'listing endpoints',
        `SELECT endpoint FROM ${table} ORDER BY id`,
        [],
      );
      return rows.map((row) => row.endpoint);
    },
    update: (id, update, now) =>
      store.transaction('updating an endpoint', async (client) => {
        const { rows } = await client.query<{ endpoint: Endpoint }>(
          `SELECT endpoint FROM ${table} WHERE id = $1 FOR UPDATE`,
          [id],
        );
        if (rows[0] === undefined) return undefined;
        const next = applyEndpointUpdate(rows[0].endpoint, update, now);
        await client.query(`UPDATE ${table} SET endpoint = $2 WHERE id = $1`, [id, JSON.stringify(next)]);
        return next;
      }),
    async delete(id) {
      const result = await store.query('deleting an endpoint', `DELETE FROM ${table} WHERE id = $1`, [id]);
      return (result.rowCount ?? 0) > 0;
    },
    close: () => store.close(),
  };
}
