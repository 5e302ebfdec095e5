import { describeStateStoreConformance } from '@eddy/conformance';
import { createPostgresStateStore } from '@eddy/postgres';
import pg from 'pg';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 8 });

describeStateStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresStateStore({ pool, schema }),
  teardown: async () => {
    await pool.end();
    await dropSchema(schema);
  },
});
