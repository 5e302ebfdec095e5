import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import { deleteStreams } from '../../nats/test/helpers.js';
import { deleteKeys } from '../../redis/test/helpers.js';
import { checkCluster, type Instance } from './cluster-harness.js';

const NATS_URL = process.env['EDDY_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env['EDDY_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
// Streams and KV buckets of its own on the shared server; the ticks go to a Redis list.
const prefix = `eddycluster${randomBytes(4).toString('hex')}`;
const client = new Redis(REDIS_URL);
const started: Instance[] = [];

afterAll(async () => {
  for (const { child } of started) child.kill('SIGKILL');
  client.disconnect();
  await deleteKeys(`${prefix}:`, REDIS_URL);
  await deleteStreams(prefix, NATS_URL.replace('nats://', ''));
  await deleteStreams(`KV_${prefix}`, NATS_URL.replace('nats://', ''));
});

describe('three gateways on one NATS server', () => {
  it('settle acks through any instance, lose nothing when one is killed, and run a singleton in one at a time', async () => {
    const ticks = () => client.lrange(`${prefix}:ticks`, 0, -1);
    await checkCluster(
      {
        url: NATS_URL,
        namespace: prefix,
        tickUrl: REDIS_URL,
        // The first instance to tick holds the lease.
        leader: async () => (await ticks())[0],
        ticks,
      },
      started,
      // Fewer events than on PostgreSQL and Redis: pulls through the NATS transport are slower, and
      // the file must stay well under a minute.
      300,
    );
  }, 60_000);
});
