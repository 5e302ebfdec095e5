import { describeFairSlotStoreConformance } from '@eddy/conformance';
import { createSqliteFairSlotStore } from '@eddy/sqlite';
import { tempDir } from './helpers.js';

const tmp = tempDir();

// Each handle opens the file itself, as members in several processes do.
describeFairSlotStoreConformance({
  name: 'sqlite',
  createStore: () => Promise.resolve(createSqliteFairSlotStore({ database: tmp.file('slots.db') })),
  teardown: () => Promise.resolve(tmp.remove()),
});
