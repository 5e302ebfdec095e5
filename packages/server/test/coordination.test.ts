import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createNatsCoordination } from '@eddy/nats';
import { createPostgresCoordination } from '@eddy/postgres';
import { createRedisCoordination } from '@eddy/redis';
import type { Coordination } from '@eddy/server';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';

const POSTGRES_URL = process.env['EDDY_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env['EDDY_NATS_URL'] ?? '127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const schema = `eddy_coord_${suffix}`;
const redisPrefix = `eddy-test-coord-${suffix}:`;
const natsPrefix = `eddycoord${suffix}`;
const TTL_MS = 600;

const backends: [string, () => Promise<Coordination>][] = [
  ['PostgreSQL', () => createPostgresCoordination({ connectionString: POSTGRES_URL, schema })],
  ['Redis', () => createRedisCoordination({ url: REDIS_URL, prefix: redisPrefix })],
  ['NATS', () => createNatsCoordination({ servers: NATS_URL, prefix: natsPrefix })],
];

afterAll(async () => {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await deleteKeys(redisPrefix, REDIS_URL);
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(`KV_${natsPrefix}_leases_${TTL_MS}`).catch(() => undefined);
  await nc.close();
});

describe.each(backends)('coordination on %s', (_name, open) => {
  it('gives a leader lease to one holder, renews it for that holder only, and frees it on release or expiry', async () => {
    const [one, two] = await Promise.all([open(), open()]);
    try {
      const lease = `lease-${randomBytes(3).toString('hex')}`;
      const first = await Promise.all([
        one.leader.acquire(lease, 'a', TTL_MS),
        two.leader.acquire(lease, 'b', TTL_MS),
      ]);
      expect(first.filter(Boolean)).toHaveLength(1);
      const [holder, other] = first[0] ? ['a', 'b'] : ['b', 'a'];
      const [mine, theirs] = first[0] ? [one, two] : [two, one];
      expect(await mine.leader.acquire(lease, holder, TTL_MS)).toBe(true);
      expect(await theirs.leader.acquire(lease, other, TTL_MS)).toBe(false);
      // Release by someone else does nothing; by the holder frees it at once.
      await theirs.leader.release(lease, other);
      expect(await theirs.leader.acquire(lease, other, TTL_MS)).toBe(false);
      await mine.leader.release(lease, holder);
      expect(await theirs.leader.acquire(lease, other, TTL_MS)).toBe(true);
      // Unrenewed, it expires by the backend's clock and another holder may take it.
      const deadline = Date.now() + 10_000;
      let taken = false;
      while (!taken && Date.now() < deadline) {
        taken = await mine.leader.acquire(lease, holder, TTL_MS);
        if (!taken) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(taken).toBe(true);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('carries a request to the named instance and its answer back, and nothing from one that left', async () => {
    const [one, two] = await Promise.all([open(), open()]);
    try {
      const a = await one.channel.join(`a${suffix}`, (request) => Promise.resolve(`a:${request}`));
      const b = await two.channel.join(`b${suffix}`, (request) => Promise.resolve(`b:${request}`));
      expect(await a.request(`b${suffix}`, 'ping', 5_000)).toBe('b:ping');
      expect(await b.request(`a${suffix}`, 'pong', 5_000)).toBe('a:pong');
      await b.close();
      expect(await a.request(`b${suffix}`, 'ping', 300)).toBeUndefined();
      await a.close();
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
