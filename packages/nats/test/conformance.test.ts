import { describeTransportConformance } from '@eddy/conformance';
import { createNatsTransport } from '@eddy/nats';
import { deleteStreams, unique } from './helpers.js';
import { PrivateNatsServer } from './nats-server.js';

// One prefix per run: the streams it creates are deleted at the end, and re-runs never meet them.
const prefix = unique('eddyconf');
// The restart cases stop (SIGTERM, as a service restart does) and start a nats-server of their own,
// with JetStream on a store directory of its own: the shared server on 4222 must stay up. A crash
// (SIGKILL) differs on NATS, and restart.int.test.ts covers it.
const restartable = await PrivateNatsServer.start();

describeTransportConformance({
  name: 'nats',
  createTransport: () => createNatsTransport({ prefix }),
  teardown: () => deleteStreams(prefix),
  restart: {
    backend: 'server',
    createTransport: () =>
      createNatsTransport({
        servers: restartable.url,
        partitions: 2,
        reconnectTimeWaitMs: 100,
        requestTimeoutMs: 2_000,
      }),
    stopBackend: () => restartable.stop('SIGTERM'),
    startBackend: () => restartable.start(),
    teardown: () => restartable.destroy(),
  },
});
