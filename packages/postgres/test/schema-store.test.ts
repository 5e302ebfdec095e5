import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeSchemaStoreConformance } from '@eddy/conformance';
import { createPostgresSchemaStore } from '@eddy/postgres';
import { createSchemaRegistry } from '@eddy/schemas';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dropSchema, TEST_URL, testSchema } from './helpers.js';

const schema = testSchema();
const pool = new pg.Pool({ connectionString: TEST_URL, max: 8 });
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// Handles share the pool and schema, as registries in several processes share the database.
describeSchemaStoreConformance({
  name: 'postgres',
  createStore: () => createPostgresSchemaStore({ pool, schema }),
  teardown: async () => {
    await pool.end();
    await dropSchema(schema);
  },
});

// Each child registers the same schemas, in the same order, under the same subjects, and prints
// the ids and versions it got.
const registrar = `
import { createPostgresSchemaStore } from '@eddy/postgres';
import { createSchemaRegistry } from '@eddy/schemas';
const [url, schema, count] = process.argv.slice(-3);
const store = await createPostgresSchemaStore({ connectionString: url, schema });
const registry = createSchemaRegistry({ store });
const got = [];
for (let i = 0; i < Number(count); i++) {
  const text = JSON.stringify({ type: 'object', properties: { ['field' + i]: { type: 'string' } } });
  const registered = await Promise.all(
    ['a', 'b'].map((suffix) => registry.register('race-' + i + '-' + suffix, { schema: text, schemaType: 'JSON' })),
  );
  got.push(registered.map((r) => [r.id, r.version]));
}
await store.close();
process.stdout.write(JSON.stringify(got));
`;

describe('postgres schema store across processes', () => {
  it('registries in 3 processes registering the same schemas get one id and one version for each', async () => {
    const raceSchema = testSchema();
    const count = 25;
    try {
      const outputs = await Promise.all(
        [0, 1, 2].map(() =>
          promisify(execFile)(
            process.execPath,
            [
              '--conditions=@eddy/source',
              '--import',
              'tsx',
              '--input-type=module',
              '-e',
              registrar,
              TEST_URL,
              raceSchema,
              String(count),
            ],
            { cwd: repoRoot },
          ),
        ),
      );
      const results = outputs.map((output) => JSON.parse(output.stdout) as [number, number][][]);
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      const store = await createPostgresSchemaStore({ connectionString: TEST_URL, schema: raceSchema });
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
    } finally {
      await dropSchema(raceSchema);
    }
  }, 60_000);
});
