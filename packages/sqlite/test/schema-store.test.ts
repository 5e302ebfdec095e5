import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeSchemaStoreConformance } from '@eddy/conformance';
import { createSchemaRegistry } from '@eddy/schemas';
import { createSqliteSchemaStore } from '@eddy/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// Handles share one file, as registries in several processes would.
const suitePath = tmp.file('schemas.db');
describeSchemaStoreConformance({
  name: 'sqlite',
  createStore: () => createSqliteSchemaStore({ database: suitePath }),
});

// Each child registers the same schemas, in the same order, under the same subjects, and prints
// the ids and versions it got.
const registrar = `
import { createSchemaRegistry } from '@eddy/schemas';
import { createSqliteSchemaStore } from '@eddy/sqlite';
const [file, count] = process.argv.slice(-2);
const store = createSqliteSchemaStore({ database: file });
const registry = createSchemaRegistry({ store });
const got = [];
for (let i = 0; i < Number(count); i++) {
  const schema = JSON.stringify({ type: 'object', properties: { ['field' + i]: { type: 'string' } } });
  const registered = await Promise.all(
    ['a', 'b'].map((suffix) => registry.register('race-' + i + '-' + suffix, { schema, schemaType: 'JSON' })),
  );
  got.push(registered.map((r) => [r.id, r.version]));
}
await store.close();
process.stdout.write(JSON.stringify(got));
`;

describe('sqlite schema store across processes', () => {
  it('registries in 3 processes registering the same schemas get one id and one version for each', async () => {
    const file = tmp.file('race.db');
    const count = 25;
    const outputs = await Promise.all(
      [0, 1, 2].map((child) =>
        promisify(execFile)(
          process.execPath,
          [
            '--conditions=@eddy/source',
            '--import',
            'tsx',
            '--input-type=module',
            '-e',
            registrar,
            file,
            String(count),
          ],
          { cwd: repoRoot, env: { ...process.env, CHILD: String(child) } },
        ),
      ),
    );
    const results = outputs.map((output) => JSON.parse(output.stdout) as [number, number][][]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    const store = createSqliteSchemaStore({ database: file });
    const registry = createSchemaRegistry({ store });
    try {
      for (let i = 0; i < count; i++) {
        const [a, b] = results[0]![i]!;
        // One schema under two subjects: one global id, version 1 in each subject.
        expect(a).toEqual([b![0], 1]);
        expect(b![1]).toBe(1);
        expect(await registry.listVersions(`race-${i}-a`)).toEqual([1]);
      }
      expect(new Set(results[0]!.map(([a]) => a![0])).size).toBe(count);
    } finally {
      await store.close();
    }
  }, 60_000);
});
