export { createSchemaRegistry } from './registry/create-schema-registry.js';
export type {
  DeletedOption,
  RegisterInput,
  SchemaRegistry,
  SchemaRegistryOptions,
  ScopeQuery,
  VersionSelector,
} from './registry/schema-registry.js';
export { createMemorySchemaStore } from './memory/memory-schema-store.js';
export type {
  NewSchema,
  PutSchemaResult,
  SchemaStore,
  ScopeConfig,
  ScopeConfigUpdate,
  StoredSchema,
  StoredVersion,
} from './schema-store.js';
export {
  CompatibilityLevels,
  Modes,
  SchemaTypes,
  type CompatibilityLevel,
  type Mode,
  type SchemaById,
  type SchemaInput,
  type SchemaReference,
  type SchemaType,
  type SubjectSchema,
} from './types.js';
export {
  checkCompatibility,
  type CompatibilityResult,
  type Direction,
  type PreviousVersion,
  type VersionedIncompatibility,
} from './compatibility/check-compatibility.js';
export type { Incompatibility, ResolvedReference } from './parsed-schema.js';
export { parseSchema, type ParsedSchema } from './schema-parser.js';
export { compileValidator, type CompileValidatorOptions } from './contracts/compile-validator.js';
export type { SchemaValidator } from './contracts/schema-validator.js';
export {
  createValidatorCache,
  type ValidatorCache,
  type ValidatorCacheOptions,
} from './contracts/validator-cache.js';
export { createAvroReader, type AvroReader } from './contracts/avro-reader.js';
export {
  generateEventTypes,
  type EventTypeSchema,
  type GenerateEventTypesOptions,
} from './codegen/generate-event-types.js';
export {
  buildAsyncApi,
  type AsyncApiDocument,
  type AsyncApiOptions,
  type AsyncApiServer,
} from './asyncapi/build-asyncapi.js';
export {
  createDataContracts,
  type BoundSchema,
  type DataContracts,
  type DataContractsOptions,
} from './contracts/data-contracts.js';
export { createDataReader, type DataReader, type DataReaderOptions } from './contracts/data-reader.js';
export { parseDataSchemaUri, type DataSchemaRef } from './contracts/data-schema-uri.js';
export {
  ConfluentErrors,
  confluentErrorFor,
  IncompatibleSchemaError,
  RemoteSchemaRefError,
  SchemaErrorCodes,
  SchemaIdConflictError,
  SchemaReferencedError,
  SchemaTooLargeError,
  SchemaViolationError,
  type ConfluentError,
  type SchemaErrorCode,
  type SchemaViolationProblem,
} from './errors.js';
