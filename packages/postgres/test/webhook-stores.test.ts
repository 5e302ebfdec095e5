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
