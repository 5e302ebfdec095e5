import pg from 'pg';
import { describeOutboxStoreConformance } from '@eddy/conformance';
import { createPostgresOutbox } from '@eddy/postgres';
import { dropSchema, randomName, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 4 });

// One table per test in this run's own schema; rows are committed in a transaction of the pool.
describeOutboxStoreConformance({
  name: 'postgres',
  createOutbox: async (lanes) => {
    const store = await createPostgresOutbox({ pool, schema, table: randomName('ob'), lanes, listen: false });
    return {
      store,
      async add(entries) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await store.add(client, entries);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
    };
  },
  teardown: async () => {
    await pool.end();
    await dropSchema(schema);
  },
});
