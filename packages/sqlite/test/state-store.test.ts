import { describeStateStoreConformance } from '@eddy/conformance';
import { createSqliteStateStore } from '@eddy/sqlite';
import { afterAll } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

// Handles share one file, as a pipeline restarted in another process would.
const suitePath = tmp.file('state.db');
describeStateStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteStateStore({ database: suitePath }),
});
