import { describeInboxStoreConformance } from '@eddy/conformance';
import { createSqliteInboxStore } from '@eddy/sqlite';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const path = tmp.file('inbox.db');

// Every handle opens its own connection to one file, as separate processes would.
describeInboxStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteInboxStore({ database: path }),
  teardown: () => tmp.remove(),
});
