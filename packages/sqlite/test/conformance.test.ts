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
  // The restart cases get a file of their own; a restart closes every transport on it, as a
  // process that exits would, and opens new ones on the same file.
  restart: {
    backend: 'embedded',
    createTransport: async () => createSqliteTransport({ path: tmp.file('restart.db') }),
  },
});
