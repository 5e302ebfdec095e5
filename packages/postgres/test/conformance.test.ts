import { describeTransportConformance } from '@eddy/conformance';
import { createPostgresTransport } from '@eddy/postgres';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

// One schema per run, so concurrent or repeated runs never see each other's topics.
const schema = testSchema();

describeTransportConformance({
  name: 'postgres',
  createTransport: () =>
    createPostgresTransport({ connectionString: TEST_URL, schema, poolSize: 4, pollIntervalMs: 200 }),
  teardown: () => dropSchema(schema),
});
