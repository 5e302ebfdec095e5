import { describeSchemaStoreConformance } from '@eddy/conformance';
import { createMemorySchemaStore } from '@eddy/schemas';

// Each handle is its own process-local store, so the suite runs its concurrency checks on one.
describeSchemaStoreConformance({
  name: 'memory',
  createStore: () => createMemorySchemaStore(),
  sharedByInstances: false,
});
