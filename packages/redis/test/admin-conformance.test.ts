import { describeTransportAdminConformance } from '@eddy/conformance';
import { createRedisTransport } from '@eddy/redis';

import { deleteKeys, REDIS_URL, uniquePrefix } from './helpers.js';

// A prefix of its own: the shared Redis also serves other suites running in parallel.
const prefix = uniquePrefix('admin-conformance');

describeTransportAdminConformance({
  name: 'redis',
  // Every topic of a Redis transport has the transport's partition count; the suite creates topics
  // of 3 partitions and publishes to them, so the transports under test use 3.
  createTransport: () =>
    createRedisTransport({
      url: REDIS_URL,
      prefix,
      partitions: 3,
      heartbeatIntervalMs: 200,
      sessionTimeoutMs: 2_000,
    }),
  teardown: () => deleteKeys(prefix),
  // Retention is an option of createRedisTransport (applied on XADD), not of a topic.
  retention: false,
});
