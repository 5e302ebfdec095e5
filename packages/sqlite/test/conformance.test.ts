import { describeTransportConformance } from '@eddy/conformance';
import { createSqliteTransport } from '@eddy/sqlite';
import { tempDir } from './helpers.js';

// One database file for the whole suite; every transport the suite opens is a separate connection
// on it, the way separate processes would share it.
const tmp = tempDir();

describeTransportConformance({
  name: 'sqlite',
  createTransport: async () => createSqliteTransport({ path: tmp.file() }),
  teardown: async () => tmp.remove(),
});
