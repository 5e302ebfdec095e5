import { describe, it } from 'vitest';
import { describeTransportConformance } from '@eddy/conformance';
import { createActiveMqTransport } from '@eddy/activemq';
import { activeMqAvailable, SKIP_REASON, URL } from './helpers.js';

if (await activeMqAvailable()) {
  describeTransportConformance({
    name: 'activemq',
    createTransport: () => createActiveMqTransport({ url: URL }),
  });
} else {
  // Only outside CI: under CI=true activeMqAvailable() throws instead.
  describe.skip(`transport conformance: activemq (${SKIP_REASON})`, () => {
    it('needs a running ActiveMQ', () => undefined);
  });
}
