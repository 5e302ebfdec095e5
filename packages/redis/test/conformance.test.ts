import { describeTransportConformance } from '@eddy/conformance';
import { createRedisTransport } from '@eddy/redis';

import { deleteKeys, REDIS_URL, uniquePrefix } from './helpers.js';

// A prefix of its own: the shared Redis also serves other suites running in parallel.
const prefix = uniquePrefix('conformance');

describeTransportConformance({
  name: 'redis',
  createTransport: () =>
    createRedisTransport({ url: REDIS_URL, prefix, heartbeatIntervalMs: 200, sessionTimeoutMs: 2_000 }),
  teardown: () => deleteKeys(prefix),
});
