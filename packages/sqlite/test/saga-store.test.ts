import { describeSagaStoreConformance } from '@eddy/conformance';
import { createSqliteSagaStore, type SqliteSagaStore } from '@eddy/sqlite';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const path = tmp.file('sagas.db');
const stores: SqliteSagaStore[] = [];

// Every createStore opens its own connection to one file, as separate processes would.
describeSagaStoreConformance({
  name: 'sqlite',
  createStore: () => {
    const store = createSqliteSagaStore({ database: path });
    stores.push(store);
    return store;
  },
  teardown: async () => {
    await Promise.all(stores.map((s) => s.close()));
    tmp.remove();
  },
});
