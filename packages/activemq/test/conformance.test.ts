import { describe, it } from 'vitest';
import { describeTransportConformance } from '@eddy/conformance';
import { createActiveMqTransport } from '@eddy/activemq';
import { activeMqAvailable, onCi, SKIP_REASON, URL } from './helpers.js';
import { PrivateBroker } from './private-broker.js';

// The restart cases stop (TERM, as a service restart does) and start a broker of their own, on
// ports of its own (test/broker/start.sh with another instance): the shared one must stay up.
const missing = PrivateBroker.missing();
if (missing !== undefined && onCi())
  throw new Error(`The ActiveMQ restart cases cannot run under CI: ${missing}.`);

if (await activeMqAvailable()) {
  const restartable = missing === undefined ? new PrivateBroker() : undefined;
  await restartable?.start();
  describeTransportConformance({
    name: 'activemq',
    createTransport: () => createActiveMqTransport({ url: URL }),
    restart:
      restartable === undefined
        ? { unavailable: missing ?? 'no private broker' }
        : {
            backend: 'server',
            createTransport: () =>
              createActiveMqTransport({
                url: restartable.url,
                reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
                // A Java broker takes seconds to start: a publish while it is down fails after this
                // with a retriable EDDY_CONNECTION_FAILED, and the suite publishes again.
                operationTimeoutMs: 5_000,
              }),
            stopBackend: () => restartable.stop(),
            startBackend: () => restartable.start(),
            teardown: () => restartable.purge(),
            publishTimeoutMs: 60_000,
            recoveryTimeoutMs: 60_000,
          },
  });
} else {
  // Only outside CI: under CI=true activeMqAvailable() throws instead.
  describe.skip(`transport conformance: activemq (${SKIP_REASON})`, () => {
    it('needs a running ActiveMQ', () => undefined);
  });
}
