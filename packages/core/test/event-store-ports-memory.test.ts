import { createMemoryCheckpointStore, createMemorySnapshotStore } from '@eddy/core/testing';
import { describeCheckpointStoreConformance, describeSnapshotStoreConformance } from '@eddy/conformance';

// Memory stores live and die with their instance, so "another instance" is the same one here.
const checkpoints = createMemoryCheckpointStore();
const snapshots = createMemorySnapshotStore();

describeCheckpointStoreConformance({ name: 'memory', createStore: () => checkpoints });
describeSnapshotStoreConformance({ name: 'memory', createStore: () => snapshots });
