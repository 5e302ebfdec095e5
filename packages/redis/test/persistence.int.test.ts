// Redis-specific: whether Redis keeps a resolved publish across a restart depends on the server's
// persistence settings, which the transport reads to fill `capabilities.durable`. The conformance
// suite's restart cases (conformance.test.ts, on a private AOF server it crashes and restarts)
// prove the durable configuration survives; this file proves the transport reports it, since a
// transport that said `durable: false` there would have those cases skipped instead of run.
import { createRedisTransport, type RedisTransport } from '@eddy/redis';
import { afterEach, describe, expect, it } from 'vitest';

import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

describe('redis persistence reporting', () => {
  let server: PrivateRedis | undefined;
  let transport: RedisTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await server?.destroy();
  });

  it.each([
    { appendonly: 'yes', appendfsync: 'always', durable: true },
    { appendonly: 'yes', appendfsync: 'everysec', durable: true },
    { appendonly: 'yes', appendfsync: 'no', durable: false },
    { appendonly: 'no', appendfsync: 'everysec', durable: false },
  ])(
    'appendonly $appendonly, appendfsync $appendfsync: durable is $durable',
    async ({ appendonly, appendfsync, durable }) => {
      server = await startPrivateRedis(['--appendonly', appendonly, '--appendfsync', appendfsync]);
      transport = await createRedisTransport({ url: server.url });
      expect(transport.persistence).toBe(`appendonly=${appendonly} appendfsync=${appendfsync}`);
      expect(transport.capabilities.durable).toBe(durable);
    },
  );
});
