import { describeInboxStoreConformance } from '@eddy/conformance';
import { createRedisInboxStore } from '@eddy/redis';
import { deleteKeys, REDIS_URL, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('inbox-conformance');

// Every handle opens its own connection, as separate processes would. Redis expires keys itself,
// so purgeExpired has nothing to delete (see createRedisInboxStore).
describeInboxStoreConformance({
  name: 'redis',
  createStore: () => createRedisInboxStore({ url: REDIS_URL, prefix }),
  expiresEntriesItself: true,
  teardown: () => deleteKeys(prefix),
});
