import { describeTransportConformance } from '@eddy/conformance';
import { createPostgresTransport } from '@eddy/postgres';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';
import { startPrivatePostgres } from './private-postgres.js';

// One schema per run, so concurrent or repeated runs never see each other's topics.
const schema = testSchema();
// The restart cases crash (`pg_ctl stop -m immediate`) and restart a cluster of their own, on a
// free port and a data directory under the temp dir: the shared server on 5432 serves other suites.
const restartable = await startPrivatePostgres();

describeTransportConformance({
  name: 'postgres',
  createTransport: () =>
    createPostgresTransport({ connectionString: TEST_URL, schema, poolSize: 4, pollIntervalMs: 200 }),
  teardown: () => dropSchema(schema),
  restart: {
    backend: 'server',
    createTransport: () =>
      createPostgresTransport({
        connectionString: restartable.url,
        poolSize: 4,
        pollIntervalMs: 200,
        reconnectDelayMs: 50,
        maxReconnectDelayMs: 500,
        connectTimeoutMs: 5_000,
        // Lost connections are expected here; the cases check what the transport does, not its log.
        onError: () => undefined,
      }),
    stopBackend: () => restartable.stop(),
    startBackend: () => restartable.start(),
    teardown: () => restartable.destroy(),
  },
});
