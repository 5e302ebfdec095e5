import { afterAll, describe } from 'vitest';
import { configTests } from './config-tests.js';
import { createSchemaStoreHarness } from './harness.js';
import type { SchemaStoreConformanceOptions } from './options.js';
import { schemaTests } from './schema-tests.js';
import { versionTests } from './version-tests.js';

/**
 * The `SchemaStore` contract: content stored once per fingerprint under ids never shared (imports
 * may pick theirs; later ids go above them); one winner among concurrent adds of a version;
 * soft-deleted versions stay listed apart from live ones until deleted for good; lookups by schema
 * id and by reference; settings per subject and registry-wide; a closed store rejects with `EDDY_CLOSED`.
 */
export function describeSchemaStoreConformance(options: SchemaStoreConformanceOptions): void {
  describe(`schema store conformance: ${options.name}`, () => {
    if (options.teardown !== undefined) afterAll(options.teardown);
    const harness = createSchemaStoreHarness(options);
    schemaTests(harness);
    versionTests(harness);
    configTests(harness);
  });
}
