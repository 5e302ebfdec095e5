import { createMemoryTransport, MemoryBroker } from '@eddy/core/testing';
import { describeTransportConformance } from '@eddy/conformance';

// One broker for the whole file: every transport the suite opens plays a process on the same backend.
const broker = new MemoryBroker();

describeTransportConformance({
  name: 'memory',
  createTransport: async () => createMemoryTransport({ broker }),
  ackTimeoutMs: 300,
  restart: {
    unavailable:
      'the memory transport lives in its process only (capabilities.durable is false): the process is its backend, and restarting it loses everything by design',
  },
});
