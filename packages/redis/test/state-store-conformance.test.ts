import { describeStateStoreConformance } from '@eddy/conformance';
import { createRedisStateStore } from '@eddy/redis';
import { deleteKeys, REDIS_URL, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('state-conformance');

// Every handle opens its own connection, as a pipeline restarted in another process would.
describeStateStoreConformance({
  name: 'redis',
  createStore: () => createRedisStateStore({ url: REDIS_URL, prefix }),
  teardown: () => deleteKeys(prefix),
});
