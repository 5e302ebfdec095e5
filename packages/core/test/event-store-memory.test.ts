import { createMemoryEventStore } from '@eddy/core';
import { describeEventStoreConformance } from '@eddy/conformance';

describeEventStoreConformance({ name: 'memory', createStore: () => createMemoryEventStore() });
