import { createPostgresTransport, migrate } from '@eddy/postgres';
import { SCHEMA_VERSION } from '../src/schema.js';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { dropSchema, randomName, TEST_URL, testSchema, text, waitFor } from './helpers.js';

const schema = testSchema();
const sql = new pg.Pool({ connectionString: TEST_URL, max: 2 });

afterAll(async () => {
  await sql.end();
  await dropSchema(schema);
});

it('upgrades a version-1 schema to the current one in place, keeping its log and cursors', async () => {
  const v1 = await readFile(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8');
  await sql.query(v1.replaceAll('{s}', `"${schema}"`).replaceAll('{channel}', `'${schema}_publish'`));
  await sql.query(`INSERT INTO "${schema}".schema_version (version) VALUES (1)`);
  const topic = randomName('t');
  await sql.query(`SELECT "${schema}".ensure_topic($1, 1)`, [topic]);
  await sql.query(`SELECT * FROM "${schema}".publish($1, $2, $3, $4, $5, $6, $7)`, [
    topic,
    [0, 0, 0],
    [0, 1, 2],
    [null, null, null],
    ['{}', '{}', '{}'],
    [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')],
    [null, null, null],
  ]);
  // A group that had read one message under version 1.
  await sql.query(
    `INSERT INTO "${schema}".group_partitions (group_name, topic, partition, next_offset) VALUES ('g', $1, 0, 1)`,
    [topic],
  );

  const errors: Error[] = [];
  const transport = await createPostgresTransport({
    connectionString: TEST_URL,
    schema,
    retention: { retentionMessages: 1 },
    retentionIntervalMs: 0,
    onError: (error) => errors.push(error),
  });
  try {
    const versions = await sql.query<{ version: number }>(
      `SELECT version FROM "${schema}".schema_version ORDER BY version`,
    );
    // Straight to the current version: the migration applies the whole schema at once.
    expect(versions.rows.map((row) => row.version)).toEqual([1, SCHEMA_VERSION]);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    // Running it again is one cheap query and changes nothing.
    await migrate(sql, schema);
    expect((await sql.query(`SELECT 1 FROM "${schema}".schema_version`)).rowCount).toBe(2);

    // The upgraded functions work on the old rows: trim, then the group hears of offset 1 and reads 2.
    expect(await transport.applyRetention()).toBe(2);
    const received: string[] = [];
    const sub = await transport.subscribe(topic, { group: 'g', from: 'earliest' }, (m) => {
      received.push(text(m.payload));
    });
    await waitFor('the retained message', () => received.length === 1);
    expect(received).toEqual(['c']);
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('offsets 1..1')]);
    await sub.close();
  } finally {
    await transport.close();
  }
});
