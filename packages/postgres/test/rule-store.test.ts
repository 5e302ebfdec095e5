import { describeRuleStoreConformance } from '@eddy/conformance';
import { createPostgresRuleStore } from '@eddy/postgres';
import pg from 'pg';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 8 });

// Handles share the pool and schema, as engines and gateways in several processes share the database.
describeRuleStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresRuleStore({ pool, schema }),
  teardown: async () => {
    await pool.end();
    await dropSchema(schema);
  },
});
