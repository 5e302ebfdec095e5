import { describeTransportAdminConformance } from '@eddy/conformance';
import { createPostgresTransport } from '@eddy/postgres';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

// One schema per run, so concurrent or repeated runs never see each other's topics.
const schema = testSchema();

describeTransportAdminConformance({
  name: 'postgres',
  createTransport: () =>
    createPostgresTransport({ connectionString: TEST_URL, schema, poolSize: 4, pollIntervalMs: 200 }),
  teardown: () => dropSchema(schema),
  // Limits come from the transport options, shared by every process trimming the schema.
  retention: false,
  // Members claim messages, not partitions; a member elsewhere is seen only by what it holds.
  partitionOwners: false,
  idleMembers: false,
});
