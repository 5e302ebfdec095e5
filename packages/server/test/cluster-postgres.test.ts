import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import { checkCluster, type Instance } from './cluster-harness.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `eddy_cluster_${randomBytes(5).toString('hex')}`;
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const started: Instance[] = [];

afterAll(async () => {
  for (const { child } of started) child.kill('SIGKILL');
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
});

describe('three gateways on one PostgreSQL database', () => {
  it('settle acks through any instance, lose nothing when one is killed, and run a singleton in one at a time', async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE "${schema}".ticks (n bigserial PRIMARY KEY, instance text NOT NULL, at timestamptz NOT NULL)`,
    );
    await checkCluster(
      {
        url: POSTGRES_URL,
        namespace: schema,
        leader: async () =>
          (await pool.query<{ holder: string }>(`SELECT holder FROM "${schema}".leader_leases`)).rows[0]
            ?.holder,
        ticks: async () =>
          (
            await pool.query<{ instance: string }>(`SELECT instance FROM "${schema}".ticks ORDER BY at, n`)
          ).rows.map((row) => row.instance),
      },
      started,
    );
  }, 60_000);
});
