import { randomBytes } from 'node:crypto';
import type { NewSchema, SchemaReference, SchemaStore } from '@eddy/schemas';
import { afterEach } from 'vitest';
import type { SchemaStoreConformanceOptions } from './options.js';

/** What every test file gets: store handles closed after each test, and unique names. */
export interface SchemaStoreHarness {
  readonly options: SchemaStoreConformanceOptions;
  /** True when separate handles share data (see `sharedByInstances`). */
  readonly shared: boolean;
  /** Opens a handle that is closed after the current test. */
  open(): Promise<SchemaStore>;
  /** `count` handles on the same data: separate handles when the backend shares them, else one repeated. */
  openPeers(count: number): Promise<SchemaStore[]>;
}

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}`;

/** A schema with a fingerprint no other test uses. */
export function newSchema(references: readonly SchemaReference[] = []): NewSchema {
  const name = uniqueName('Rec').replace(/-/g, '_');
  return {
    schemaType: 'AVRO',
    schema: JSON.stringify({ type: 'record', name, fields: [] }),
    references,
    fingerprint: uniqueName('fp'),
  };
}

/** Registers the per-test cleanup; call inside the suite's `describe`. */
export function createSchemaStoreHarness(options: SchemaStoreConformanceOptions): SchemaStoreHarness {
  const opened: SchemaStore[] = [];
  const shared = options.sharedByInstances ?? true;
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const open = async (): Promise<SchemaStore> => {
    const store = await options.createStore();
    opened.push(store);
    return store;
  };
  return {
    options,
    shared,
    open,
    async openPeers(count) {
      if (!shared) {
        const store = await open();
        return Array.from({ length: count }, () => store);
      }
      const stores: SchemaStore[] = [];
      for (let i = 0; i < count; i++) stores.push(await open());
      return stores;
    },
  };
}

/** The handle at `index`, or a clear failure when `openPeers` returned too few. */
export function peer(stores: readonly SchemaStore[], index: number): SchemaStore {
  const store = stores[index % stores.length];
  if (store === undefined) throw new TypeError('openPeers returned no store');
  return store;
}
