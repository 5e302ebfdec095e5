import { describeRuleStoreConformance } from '@eddy/conformance';
import { createSqliteRuleStore } from '@eddy/sqlite';
import { afterAll } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

// Handles share one file, as engines and gateways in several processes would.
const suitePath = tmp.file('rules.db');
describeRuleStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteRuleStore({ database: suitePath }),
});
