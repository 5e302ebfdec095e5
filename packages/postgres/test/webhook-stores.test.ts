import {
  describeDeliveryStoreConformance,
  describeEndpointStoreConformance,
  describeRequestStoreConformance,
} from '@eddy/conformance';
import {
  createPostgresDeliveryStore,
  createPostgresEndpointStore,
  createPostgresRequestStore,
} from '@eddy/postgres';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 8 });

// Handles share the pool and schema, as dispatchers and gateways in several processes share the database.
describeEndpointStoreConformance({
  name: 'postgres',
  createEndpointStore: () => createPostgresEndpointStore({ pool, schema }),
  createDeliveryStore: () => createPostgresDeliveryStore({ pool, schema }),
});
describeDeliveryStoreConformance({
  name: 'postgres',
  createEndpointStore: () => createPostgresEndpointStore({ pool, schema }),
  createDeliveryStore: () => createPostgresDeliveryStore({ pool, schema }),
});
describeRequestStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresRequestStore({ pool, schema }),
  teardown: async () => {
    await pool.end();
    await dropSchema(schema);
  },
});

describe('PostgreSQL request store migration', () => {
  it('adds the callback column to a table made before callbacks, from several openers', async () => {
    const oldSchema = testSchema();
    const admin = new pg.Pool({ connectionString: TEST_URL, max: 1 });
    await admin.query(`CREATE SCHEMA "${oldSchema}";
      CREATE TABLE "${oldSchema}".webhook_requests (
        id text PRIMARY KEY, type text NOT NULL, status text NOT NULL, result jsonb, error text,
        created_at bigint NOT NULL, updated_at bigint NOT NULL, expires_at bigint NOT NULL);
      INSERT INTO "${oldSchema}".webhook_requests VALUES ('old', 't', 'pending', NULL, NULL, 1, 1, 9999999999999);`);
    await admin.end();
    const pools = [0, 1].map(() => new pg.Pool({ connectionString: TEST_URL, max: 2 }));
    try {
      const stores = await Promise.all(
        pools.map((own) => createPostgresRequestStore({ pool: own, schema: oldSchema })),
      );
      expect(await stores[0]!.get('old', 2)).toEqual({
        id: 'old',
        type: 't',
        status: 'pending',
        createdAt: 1,
        updatedAt: 1,
        expiresAt: 9999999999999,
      });
      await stores[1]!.create(
        { id: 'new', type: 't', expiresAt: 10, callbackUrl: 'https://a.example/cb' },
        1,
      );
      expect(await stores[0]!.get('new', 2)).toMatchObject({ callbackUrl: 'https://a.example/cb' });
      for (const store of stores) await store.close();
    } finally {
      for (const own of pools) await own.end();
      await dropSchema(oldSchema);
    }
  });
});
