import { describeFairSlotStoreConformance } from '@eddy/conformance';
import { createPostgresFairSlotStore } from '@eddy/postgres';
import pg from 'pg';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 8 });

// Handles share the pool and schema, as members in several processes share the database.
describeFairSlotStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresFairSlotStore({ pool, schema }),
  teardown: async () => {
    await pool.end();
    await dropSchema(schema);
  },
});
