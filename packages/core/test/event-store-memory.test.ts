import { createMemoryEventStore } from '@eddy/core/testing';
import { describeEventStoreConformance } from '@eddy/conformance';

describeEventStoreConformance({ name: 'memory', createStore: () => createMemoryEventStore() });
