import { describeTransportConformance } from '@eddy/conformance';
import { createRedisTransport } from '@eddy/redis';

import { deleteKeys, REDIS_URL, uniquePrefix } from './helpers.js';
import { startPrivateRedis } from './private-redis.js';

// A prefix of its own: the shared Redis also serves other suites running in parallel.
const prefix = uniquePrefix('conformance');
// The restart cases crash (SIGKILL) and restart a server of their own, in the durable
// configuration: AOF with fsync on every write. Restarting the shared one would wipe other suites.
const restartable = await startPrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always']);

describeTransportConformance({
  name: 'redis',
  createTransport: () =>
    createRedisTransport({ url: REDIS_URL, prefix, heartbeatIntervalMs: 200, sessionTimeoutMs: 2_000 }),
  teardown: () => deleteKeys(prefix),
  restart: {
    backend: 'server',
    createTransport: () =>
      createRedisTransport({
        url: restartable.url,
        heartbeatIntervalMs: 200,
        sessionTimeoutMs: 3_000,
        reconnectMaxDelayMs: 200,
        // Reconnects are expected here; the cases check what the transport does, not its log.
        onError: () => undefined,
      }),
    stopBackend: () => restartable.kill(),
    startBackend: () => restartable.start(),
    teardown: () => restartable.destroy(),
  },
});
