import Database from 'better-sqlite3';
import { describeOutboxStoreConformance } from '@eddy/conformance';
import { createSqliteOutbox } from '@eddy/sqlite';
import { tempDir, unique } from './helpers.js';

const tmp = tempDir();

// The application writes on its own connection; the relay's store opens the file by path.
describeOutboxStoreConformance({
  name: 'sqlite',
  createOutbox: (lanes) => {
    const path = tmp.file(`${unique('outbox')}.db`);
    const store = createSqliteOutbox({ database: path, lanes });
    const app = new Database(path);
    return {
      store,
      add: (entries) => void app.transaction(() => store.add(app, entries))(),
      close: () => void app.close(),
    };
  },
  teardown: () => tmp.remove(),
});
