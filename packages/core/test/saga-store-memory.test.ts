import { describeSagaStoreConformance } from '@eddy/conformance';
import { createMemorySagaStore } from '@eddy/core/testing';

// One shared store, as a process would hold it; the suite's "other instance" checks then read the
// same data through a second handle.
const shared = createMemorySagaStore();
describeSagaStoreConformance({ name: 'memory', createStore: () => shared });
