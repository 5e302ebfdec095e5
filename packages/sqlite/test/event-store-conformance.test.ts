import {
  describeCheckpointStoreConformance,
  describeEventStoreConformance,
  describeSnapshotStoreConformance,
} from '@eddy/conformance';
import {
  createSqliteCheckpointStore,
  createSqliteEventStore,
  createSqliteSnapshotStore,
  openEventStoreDatabase,
} from '@eddy/sqlite';
import { afterAll } from 'vitest';
import { tempDir } from './helpers.js';

const dir = tempDir();
const file = dir.file('event-store.db');
// Port stores share one connection (instances over one database); event stores each open their own.
const shared = openEventStoreDatabase(file);

describeEventStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteEventStore({ database: file }),
});

afterAll(() => {
  shared.close();
  dir.remove();
});

describeCheckpointStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteCheckpointStore({ database: shared }),
});

describeSnapshotStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteSnapshotStore({ database: shared }),
});
