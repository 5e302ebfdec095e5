import { describeInboxStoreConformance } from '@eddy/conformance';
import { createPostgresInboxStore } from '@eddy/postgres';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();

// Every handle owns its pool, as separate processes would; the schema is this run's own.
describeInboxStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresInboxStore({ connectionString: TEST_URL, schema }),
  teardown: () => dropSchema(schema),
});
