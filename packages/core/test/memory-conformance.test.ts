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

// The same suite on a memory transport that declares every optional feature false, so the cases
// for a flag declared false run here too, whatever the real backends declare.
const limitedBroker = new MemoryBroker();

describeTransportConformance({
  name: 'memory declaring no optional feature',
  createTransport: async () =>
    createMemoryTransport({
      broker: limitedBroker,
      capabilities: {
        orderingPerKey: false,
        consumerGroups: false,
        replay: false,
        replayFromTime: false,
        delayedDelivery: false,
        nackDelay: false,
        leaseExtension: false,
        publishDedupe: false,
        filtering: false,
        supersede: false,
      },
    }),
  ackTimeoutMs: 300,
  restart: {
    unavailable:
      'the memory transport lives in its process only (capabilities.durable is false): the process is its backend, and restarting it loses everything by design',
  },
});
