import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';
import { checkCluster, type Instance } from './cluster-harness.js';

const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
// A prefix of its own on the shared Redis, removed afterwards.
const prefix = `eddy-test-cluster-${randomBytes(4).toString('hex')}:`;
const client = new Redis(REDIS_URL);
const started: Instance[] = [];

afterAll(async () => {
  for (const { child } of started) child.kill('SIGKILL');
  client.disconnect();
  await deleteKeys(prefix, REDIS_URL);
});

describe('three gateways on one Redis', () => {
  it('settle acks through any instance, lose nothing when one is killed, and run a singleton in one at a time', async () => {
    await checkCluster(
      {
        url: REDIS_URL,
        namespace: prefix,
        leader: async () => (await client.get(`${prefix}leader:eddy-gateway`)) ?? undefined,
        ticks: () => client.lrange(`${prefix}ticks`, 0, -1),
      },
      started,
    );
  }, 60_000);
});
