import { describeTransportAdminConformance } from '@eddy/conformance';
import { createSqliteTransport } from '@eddy/sqlite';
import { tempDir } from './helpers.js';

// One database file for the suite; each transport is a separate connection on it, like a process.
const tmp = tempDir();

describeTransportAdminConformance({
  name: 'sqlite',
  createTransport: async () => createSqliteTransport({ path: tmp.file() }),
  teardown: async () => tmp.remove(),
});
