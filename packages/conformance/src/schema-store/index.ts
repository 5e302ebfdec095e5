export { describeSchemaStoreConformance } from './describe-schema-store-conformance.js';
export type { SchemaStoreConformanceOptions } from './options.js';
