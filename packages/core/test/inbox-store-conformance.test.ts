import { describeInboxStoreConformance } from '@eddy/conformance';
import { createMemoryInboxStore } from '@eddy/core/testing';

// Each handle is its own process-local store, so the suite runs its concurrency checks on one.
describeInboxStoreConformance({
  name: 'memory',
  createStore: () => createMemoryInboxStore(),
  sharedByInstances: false,
});
