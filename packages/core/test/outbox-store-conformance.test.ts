import { createMemoryOutboxStore } from '@eddy/core/testing';
import { describeOutboxStoreConformance } from '@eddy/conformance';

describeOutboxStoreConformance({
  name: 'memory',
  createOutbox: (lanes) => {
    const store = createMemoryOutboxStore({ lanes });
    return { store, add: (entries) => void store.add(entries) };
  },
});
