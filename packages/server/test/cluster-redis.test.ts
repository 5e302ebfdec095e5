import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { deleteKeys } from '../../redis/test/helpers.js';
import { checkCluster, type Instance } from './cluster-harness.js';

const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
// Keys of its own on the shared server: the transport's, the leader lease and the ticks list.
const prefix = `eddycluster${randomBytes(4).toString('hex')}:`;
const client = new Redis(REDIS_URL);
const started: Instance[] = [];

afterAll(async () => {
  for (const { child } of started) child.kill('SIGKILL');
  client.disconnect();
  await deleteKeys(prefix, REDIS_URL);
});

describe('three gateways on one Redis server', () => {
  it('settle acks through any instance, lose nothing when one is killed, and run a singleton in one at a time', async () => {
    const ticks = () => client.lrange(`${prefix}ticks`, 0, -1);
    await checkCluster(
      {
        url: REDIS_URL,
        namespace: prefix,
        // The gateway's leader lease (`createRedisCoordination` keys it `<prefix>leader:<name>`).
        leader: async () => (await client.get(`${prefix}leader:eddy-gateway`)) ?? undefined,
        ticks,
      },
      started,
    );
    // Well under a minute on its own; the margin is for starting three gateway processes on a
    // loaded machine.
  }, 120_000);
});
