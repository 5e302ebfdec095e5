import { createMemoryTransport, MemoryBroker } from '@eddy/core/testing';
import { describeTransportConformance } from '@eddy/conformance';

// One broker for the whole file: every transport the suite opens plays a process on the same backend.
const broker = new MemoryBroker();

describeTransportConformance({
  name: 'memory',
  createTransport: async () => createMemoryTransport({ broker }),
  ackTimeoutMs: 300,
});
