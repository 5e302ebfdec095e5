import { EddyError } from '@eddy/core';

/** The options every EddyError takes (cause, retriable). */
type EddyErrorOptions = NonNullable<ConstructorParameters<typeof EddyError>[2]>;

/** The error codes @eddy/schemas throws; each is documented in docs/reference/errors.md. */
export const SchemaErrorCodes = {
  /** The schema text does not parse or breaks a rule of its type (Avro, JSON Schema, Protobuf). */
  InvalidSchema: 'EDDY_INVALID_SCHEMA',
  /** `schemaType` is not one of AVRO, JSON, PROTOBUF. */
  UnknownSchemaType: 'EDDY_UNKNOWN_SCHEMA_TYPE',
  /** A JSON Schema `$ref` points at a remote document that no declared reference provides. */
  RemoteSchemaRef: 'EDDY_SCHEMA_REMOTE_REF',
  /** The schema text is longer than the registry's `maxSchemaBytes`. */
  SchemaTooLarge: 'EDDY_SCHEMA_TOO_LARGE',
  /** A compatibility level is not one of NONE, BACKWARD(_TRANSITIVE), FORWARD(_TRANSITIVE), FULL(_TRANSITIVE). */
  InvalidCompatibilityLevel: 'EDDY_INVALID_COMPATIBILITY_LEVEL',
  /** A mode is not one of READWRITE, READONLY, IMPORT. */
  InvalidMode: 'EDDY_INVALID_MODE',
  /** A version is neither a positive integer nor `latest` (or -1). */
  InvalidVersion: 'EDDY_INVALID_SCHEMA_VERSION',
  /** A subject name is empty, too long or holds control characters. */
  InvalidSubject: 'EDDY_INVALID_SUBJECT',
  /** The subject has no versions (or only soft-deleted ones when those were not asked for). */
  SubjectNotFound: 'EDDY_SUBJECT_NOT_FOUND',
  /** The subject exists but not at this version. */
  VersionNotFound: 'EDDY_SCHEMA_VERSION_NOT_FOUND',
  /** No schema has this id, or the schema is not registered under the subject. */
  SchemaNotFound: 'EDDY_SCHEMA_NOT_FOUND',
  /** A soft delete of a subject whose versions are all soft-deleted already. */
  SubjectSoftDeleted: 'EDDY_SUBJECT_SOFT_DELETED',
  /** A permanent delete of a subject that still has live versions. */
  SubjectNotSoftDeleted: 'EDDY_SUBJECT_NOT_SOFT_DELETED',
  /** A soft delete of a version that is soft-deleted already. */
  VersionSoftDeleted: 'EDDY_SCHEMA_VERSION_SOFT_DELETED',
  /** A permanent delete of a version that was not soft-deleted first. */
  VersionNotSoftDeleted: 'EDDY_SCHEMA_VERSION_NOT_SOFT_DELETED',
  /** The subject has no compatibility level of its own (ask with `defaultToGlobal`). */
  SubjectCompatibilityNotConfigured: 'EDDY_SUBJECT_COMPATIBILITY_NOT_CONFIGURED',
  /** The subject has no mode of its own (ask with `defaultToGlobal`). */
  SubjectModeNotConfigured: 'EDDY_SUBJECT_MODE_NOT_CONFIGURED',
  /** The schema breaks the subject's compatibility level against an earlier version. */
  IncompatibleSchema: 'EDDY_INCOMPATIBLE_SCHEMA',
  /** The mode forbids the operation (READONLY, IMPORT without an id, an id outside IMPORT). */
  OperationNotPermitted: 'EDDY_SCHEMA_OPERATION_NOT_PERMITTED',
  /** An import asked for an id that another schema already holds. */
  SchemaIdConflict: 'EDDY_SCHEMA_ID_CONFLICT',
  /** A delete would remove a version other schemas still reference. */
  SchemaReferenced: 'EDDY_SCHEMA_REFERENCED',
  /** Event data does not match its schema (data contracts). */
  SchemaViolation: 'EDDY_SCHEMA_VIOLATION',
} as const;

export type SchemaErrorCode = (typeof SchemaErrorCodes)[keyof typeof SchemaErrorCodes];

/** The HTTP status and `error_code` Confluent Schema Registry answers with for the same failure. */
export interface ConfluentError {
  readonly status: number;
  readonly errorCode: number;
}

/**
 * What a Confluent-compatible HTTP layer answers for each registry code, one to one; the gateway
 * maps an error with `confluentErrorFor`. `EDDY_SCHEMA_VIOLATION` is a data-contract failure, not a
 * registry answer, so it has no entry.
 */
export const ConfluentErrors: Readonly<
  Record<Exclude<SchemaErrorCode, 'EDDY_SCHEMA_VIOLATION'>, ConfluentError>
> = {
  EDDY_INVALID_SCHEMA: { status: 422, errorCode: 42201 },
  EDDY_UNKNOWN_SCHEMA_TYPE: { status: 422, errorCode: 42201 },
  EDDY_SCHEMA_REMOTE_REF: { status: 422, errorCode: 42201 },
  EDDY_SCHEMA_TOO_LARGE: { status: 422, errorCode: 42209 },
  EDDY_INVALID_COMPATIBILITY_LEVEL: { status: 422, errorCode: 42203 },
  EDDY_INVALID_MODE: { status: 422, errorCode: 42204 },
  EDDY_INVALID_SCHEMA_VERSION: { status: 422, errorCode: 42202 },
  EDDY_INVALID_SUBJECT: { status: 422, errorCode: 42208 },
  EDDY_SUBJECT_NOT_FOUND: { status: 404, errorCode: 40401 },
  EDDY_SCHEMA_VERSION_NOT_FOUND: { status: 404, errorCode: 40402 },
  EDDY_SCHEMA_NOT_FOUND: { status: 404, errorCode: 40403 },
  EDDY_SUBJECT_SOFT_DELETED: { status: 404, errorCode: 40404 },
  EDDY_SUBJECT_NOT_SOFT_DELETED: { status: 404, errorCode: 40405 },
  EDDY_SCHEMA_VERSION_SOFT_DELETED: { status: 404, errorCode: 40406 },
  EDDY_SCHEMA_VERSION_NOT_SOFT_DELETED: { status: 404, errorCode: 40407 },
  EDDY_SUBJECT_COMPATIBILITY_NOT_CONFIGURED: { status: 404, errorCode: 40408 },
  EDDY_SUBJECT_MODE_NOT_CONFIGURED: { status: 404, errorCode: 40409 },
  EDDY_INCOMPATIBLE_SCHEMA: { status: 409, errorCode: 40901 },
  EDDY_SCHEMA_OPERATION_NOT_PERMITTED: { status: 422, errorCode: 42205 },
  EDDY_SCHEMA_ID_CONFLICT: { status: 422, errorCode: 42205 },
  EDDY_SCHEMA_REFERENCED: { status: 422, errorCode: 42206 },
};

/** The Confluent status and `error_code` for a registry error, or undefined for any other error. */
export function confluentErrorFor(error: unknown): ConfluentError | undefined {
  if (!(error instanceof EddyError)) return undefined;
  return (ConfluentErrors as Readonly<Record<string, ConfluentError>>)[error.code];
}

export class InvalidSchemaError extends EddyError {
  constructor(message: string, options: EddyErrorOptions = {}) {
    super(SchemaErrorCodes.InvalidSchema, message, options);
  }
}

export class UnknownSchemaTypeError extends EddyError {
  constructor(schemaType: string) {
    super(
      SchemaErrorCodes.UnknownSchemaType,
      `Unknown schema type "${schemaType}". Use AVRO (the default when omitted), JSON or PROTOBUF.`,
    );
  }
}

export class RemoteSchemaRefError extends EddyError {
  /** The `$ref` as written in the schema. */
  readonly ref: string;

  constructor(ref: string) {
    super(
      SchemaErrorCodes.RemoteSchemaRef,
      `JSON Schema $ref "${ref}" points at a remote document; the registry never fetches one. ` +
        `Register that document under a subject and declare it in references as { name: "${ref}", subject, version }, or inline it under $defs.`,
    );
    this.ref = ref;
  }
}

export class SchemaTooLargeError extends EddyError {
  readonly sizeBytes: number;
  readonly maxBytes: number;

  constructor(sizeBytes: number, maxBytes: number) {
    super(
      SchemaErrorCodes.SchemaTooLarge,
      `Schema of ${sizeBytes} bytes exceeds the registry limit of ${maxBytes} bytes. ` +
        'Split it into referenced schemas, or raise maxSchemaBytes.',
    );
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
  }
}

export class InvalidCompatibilityLevelError extends EddyError {
  constructor(value: unknown) {
    super(
      SchemaErrorCodes.InvalidCompatibilityLevel,
      `Invalid compatibility level ${JSON.stringify(value)}. Use one of NONE, BACKWARD, BACKWARD_TRANSITIVE, ` +
        'FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.',
    );
  }
}

export class InvalidModeError extends EddyError {
  constructor(value: unknown) {
    super(
      SchemaErrorCodes.InvalidMode,
      `Invalid mode ${JSON.stringify(value)}. Use one of READWRITE, READONLY, IMPORT.`,
    );
  }
}

export class InvalidVersionError extends EddyError {
  constructor(value: unknown) {
    super(
      SchemaErrorCodes.InvalidVersion,
      `Invalid version ${JSON.stringify(value)}. Use a positive integer, "latest" or -1.`,
    );
  }
}

export class InvalidSubjectError extends EddyError {
  constructor(subject: string, reason: string) {
    super(SchemaErrorCodes.InvalidSubject, `Invalid subject ${JSON.stringify(subject)}: ${reason}.`);
  }
}

export class SubjectNotFoundError extends EddyError {
  constructor(subject: string) {
    super(
      SchemaErrorCodes.SubjectNotFound,
      `Subject "${subject}" not found. Check the name, or register a schema under it first.`,
    );
  }
}

export class VersionNotFoundError extends EddyError {
  constructor(subject: string, version: number | string) {
    super(
      SchemaErrorCodes.VersionNotFound,
      `Version ${version} of subject "${subject}" not found. List the subject's versions to see which exist.`,
    );
  }
}

export class SchemaNotFoundError extends EddyError {
  constructor(message: string) {
    super(SchemaErrorCodes.SchemaNotFound, message);
  }
}

export class SubjectSoftDeletedError extends EddyError {
  constructor(subject: string) {
    super(
      SchemaErrorCodes.SubjectSoftDeleted,
      `Subject "${subject}" was soft-deleted already. Delete it with permanent: true to remove it for good.`,
    );
  }
}

export class SubjectNotSoftDeletedError extends EddyError {
  constructor(subject: string) {
    super(
      SchemaErrorCodes.SubjectNotSoftDeleted,
      `Subject "${subject}" has live versions. Soft-delete it first, then delete it with permanent: true.`,
    );
  }
}

export class VersionSoftDeletedError extends EddyError {
  constructor(subject: string, version: number) {
    super(
      SchemaErrorCodes.VersionSoftDeleted,
      `Version ${version} of subject "${subject}" was soft-deleted already. Delete it with permanent: true to remove it for good.`,
    );
  }
}

export class VersionNotSoftDeletedError extends EddyError {
  constructor(subject: string, version: number) {
    super(
      SchemaErrorCodes.VersionNotSoftDeleted,
      `Version ${version} of subject "${subject}" is live. Soft-delete it first, then delete it with permanent: true.`,
    );
  }
}

export class SubjectCompatibilityNotConfiguredError extends EddyError {
  constructor(subject: string) {
    super(
      SchemaErrorCodes.SubjectCompatibilityNotConfigured,
      `Subject "${subject}" has no compatibility level of its own. Ask with defaultToGlobal: true to get the level in force.`,
    );
  }
}

export class SubjectModeNotConfiguredError extends EddyError {
  constructor(subject: string) {
    super(
      SchemaErrorCodes.SubjectModeNotConfigured,
      `Subject "${subject}" has no mode of its own. Ask with defaultToGlobal: true to get the mode in force.`,
    );
  }
}

export class IncompatibleSchemaError extends EddyError {
  /** Each rule the schema breaks, with the version it was checked against and the path. */
  readonly messages: readonly string[];

  /** `context` says what was checked, e.g. `subject "orders-value" under BACKWARD`. */
  constructor(context: string, messages: readonly string[]) {
    super(
      SchemaErrorCodes.IncompatibleSchema,
      `Schema is incompatible with ${context}: ${messages.join('; ')}. ` +
        'Change the schema so it follows the rule, or change the compatibility level.',
    );
    this.messages = messages;
  }
}

export class OperationNotPermittedError extends EddyError {
  constructor(message: string) {
    super(SchemaErrorCodes.OperationNotPermitted, message);
  }
}

export class SchemaIdConflictError extends EddyError {
  readonly id: number;

  constructor(id: number, reason: string) {
    super(SchemaErrorCodes.SchemaIdConflict, `Cannot import the schema with id ${id}: ${reason}.`);
    this.id = id;
  }
}

export class SchemaReferencedError extends EddyError {
  /** Ids of the schemas that still reference the version. */
  readonly referencedBy: readonly number[];

  constructor(subject: string, version: number, referencedBy: readonly number[]) {
    super(
      SchemaErrorCodes.SchemaReferenced,
      `Version ${version} of subject "${subject}" is referenced by schema id(s) ${referencedBy.join(', ')}. ` +
        'Delete those versions first.',
    );
    this.referencedBy = referencedBy;
  }
}

/** One place where event data breaks its schema. */
export interface SchemaViolationProblem {
  /** JSON-pointer-like path to the value, `/` for the root. */
  readonly path: string;
  /** What is wrong there. */
  readonly message: string;
}

export class SchemaViolationError extends EddyError {
  /** Every failing path, not just the first. */
  readonly problems: readonly SchemaViolationProblem[];

  constructor(subject: string, problems: readonly SchemaViolationProblem[]) {
    super(
      SchemaErrorCodes.SchemaViolation,
      `Event data does not match ${subject}: ` +
        problems.map((problem) => `${problem.path} ${problem.message}`).join('; ') +
        '. Fix the producer, or register a compatible schema version that allows this data.',
    );
    this.problems = problems;
  }
}
