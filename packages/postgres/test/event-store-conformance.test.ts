import {
  describeCheckpointStoreConformance,
  describeEventStoreConformance,
  describeSnapshotStoreConformance,
} from '@eddy/conformance';
import {
  createPostgresCheckpointStore,
  createPostgresEventStore,
  createPostgresSnapshotStore,
} from '@eddy/postgres';
import pg from 'pg';
import { afterAll } from 'vitest';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 24 });

describeEventStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresEventStore({ pool, schema }),
});

describeCheckpointStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresCheckpointStore({ pool, schema }),
});

describeSnapshotStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresSnapshotStore({ pool, schema }),
});

afterAll(async () => {
  await pool.end();
  await dropSchema(schema);
});
