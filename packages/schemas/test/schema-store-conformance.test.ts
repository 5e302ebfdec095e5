import { describeSchemaStoreConformance, type SchemaStoreConformanceOptions } from '@eddy/conformance';
import { createMemorySchemaStore, type SchemaStore } from '@eddy/schemas';
import { expectTypeOf } from 'vitest';

// Each handle is its own process-local store, so the suite runs its concurrency checks on one.
describeSchemaStoreConformance({
  name: 'memory',
  createStore: () => createMemorySchemaStore(),
  sharedByInstances: false,
});

// The suite mirrors the port (see SchemaStoreUnderTest); these fail to compile if the two drift.
type SchemaStoreUnderTest = Awaited<ReturnType<SchemaStoreConformanceOptions['createStore']>>;
expectTypeOf<SchemaStore>().toEqualTypeOf<SchemaStoreUnderTest>();
