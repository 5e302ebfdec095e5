import { randomBytes } from 'node:crypto';
import { describeFairSlotStoreConformance } from '@eddy/conformance';
import { createRedisFairSlotStore } from '@eddy/redis';

// A prefix per run: several runs share the Redis server.
const prefix = `eddytest:${randomBytes(4).toString('hex')}:`;

describeFairSlotStoreConformance({
  name: 'redis',
  createStore: () => createRedisFairSlotStore({ prefix }),
});
