import { describeStateStoreConformance } from '@eddy/conformance';
import { createMemoryStateStore } from '@eddy/streams';

// Handles of one test share the store, as the suite expects of one backend; closing a handle
// leaves the shared store open for the next one.
const shared = createMemoryStateStore();
describeStateStoreConformance({
  name: 'memory',
  createStore: () => ({ ...shared, close: () => Promise.resolve() }),
});
