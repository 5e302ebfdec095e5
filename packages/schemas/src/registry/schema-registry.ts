import type { CompatibilityResult } from '../compatibility/check-compatibility.js';
import type { SchemaStore } from '../schema-store.js';
import type { ParsedSchema } from '../schema-parser.js';
import type {
  CompatibilityLevel,
  Mode,
  SchemaById,
  SchemaInput,
  SchemaType,
  SubjectSchema,
} from '../types.js';

/** Options of `createSchemaRegistry`. */
export interface SchemaRegistryOptions {
  /** Where schemas, versions and settings live. */
  readonly store: SchemaStore;
  /** Largest schema text accepted, in UTF-8 bytes. Default 1 MiB (1_048_576). */
  readonly maxSchemaBytes?: number;
  /** Level in force when neither the subject nor the registry sets one. Default BACKWARD, as Confluent. */
  readonly defaultCompatibility?: CompatibilityLevel;
  /** Mode in force when neither the subject nor the registry sets one. Default READWRITE. */
  readonly defaultMode?: Mode;
  /** Parsed schemas kept in memory, by id, for compatibility checks and validators. Default 1_000. */
  readonly parsedCacheSize?: number;
}

/** A version as `getVersion` and friends accept it: a number, `"latest"`, or -1 (latest). */
export type VersionSelector = number | string;

/** What `register` accepts beyond the schema itself. */
export interface RegisterInput extends SchemaInput {
  /** IMPORT mode only: the global id to register the schema under. */
  readonly id?: number;
  /** The version to register as: IMPORT mode any free one; otherwise only the next one. */
  readonly version?: number;
}

/** Whether soft-deleted versions count. */
export interface DeletedOption {
  /** Default false: soft-deleted versions are left out, as Confluent's `deleted=false`. */
  readonly deleted?: boolean;
}

/** Where a setting is read: a subject's own, with `defaultToGlobal` falling back to the registry's. */
export interface ScopeQuery {
  /** Omit for the registry-wide setting. */
  readonly subject?: string;
  /** For a subject without its own setting: answer the one in force instead of "not configured". */
  readonly defaultToGlobal?: boolean;
}

/**
 * The registry's logic with Confluent Schema Registry's semantics, independent of HTTP. Every
 * failure is an `EddyError` whose code maps to Confluent's status and `error_code` (see
 * `ConfluentErrors`).
 */
export interface SchemaRegistry {
  /** The types this registry parses, as Confluent's `GET /schemas/types`. */
  schemaTypes(): readonly SchemaType[];
  /**
   * Registers a schema under a subject and returns it with its global id and version. Idempotent:
   * the same schema (normalized, with the same type and references) returns the existing version;
   * the same schema under another subject reuses the global id. Checks the subject's compatibility
   * level against its live versions (except in IMPORT mode).
   */
  register(subject: string, input: RegisterInput): Promise<SubjectSchema>;
  /** Finds the version of a subject holding this schema (Confluent's `POST /subjects/{subject}`). */
  lookup(subject: string, input: SchemaInput, options?: DeletedOption): Promise<SubjectSchema>;
  /** A schema by global id; soft-deleted versions still serve it, as readers of old data need it. */
  getSchemaById(id: number): Promise<SchemaById>;
  /** The subject/version pairs holding a schema id. */
  getSchemaVersions(id: number, options?: DeletedOption): Promise<{ subject: string; version: number }[]>;
  /** Subject names, ascending. */
  listSubjects(options?: DeletedOption & { readonly prefix?: string }): Promise<string[]>;
  /** A subject's version numbers, ascending. */
  listVersions(subject: string, options?: DeletedOption): Promise<number[]>;
  /** One version of a subject (`latest` is the newest live version). */
  getVersion(subject: string, version: VersionSelector, options?: DeletedOption): Promise<SubjectSchema>;
  /** Ids of the schemas whose references point at this version. */
  getReferencedBy(subject: string, version: VersionSelector): Promise<number[]>;
  /** Deletes a version: soft by default; `permanent` only after a soft delete. Returns its number. */
  deleteVersion(
    subject: string,
    version: VersionSelector,
    options?: { readonly permanent?: boolean },
  ): Promise<number>;
  /** Deletes every version of a subject: soft by default; `permanent` only after a soft delete. */
  deleteSubject(subject: string, options?: { readonly permanent?: boolean }): Promise<number[]>;
  /** The compatibility level of a subject (or the registry's). */
  getCompatibility(query?: ScopeQuery): Promise<CompatibilityLevel>;
  /** Sets the level of a subject (or of the registry); accepts any case, validates the value. */
  setCompatibility(
    compatibility: unknown,
    options?: { readonly subject?: string },
  ): Promise<CompatibilityLevel>;
  /** Removes a subject's own level (or resets the registry's) and returns the level it had. */
  deleteCompatibility(options?: { readonly subject?: string }): Promise<CompatibilityLevel>;
  /** The mode of a subject (or the registry's). */
  getMode(query?: ScopeQuery): Promise<Mode>;
  /**
   * Sets the mode of a subject (or of the registry). Entering IMPORT needs the scope to have no
   * live versions, unless `force`.
   */
  setMode(mode: unknown, options?: { readonly subject?: string; readonly force?: boolean }): Promise<Mode>;
  /** Removes a subject's own mode (or resets the registry's) and returns the mode it had. */
  deleteMode(options?: { readonly subject?: string }): Promise<Mode>;
  /**
   * Checks a schema against the subject's level without registering it: against one version
   * (`latest` or a number), or when `version` is omitted against the versions the level names.
   */
  checkCompatibility(
    subject: string,
    input: SchemaInput,
    options?: { readonly version?: VersionSelector },
  ): Promise<CompatibilityResult>;
  /** A registered schema parsed (cached by id), for validators and Avro readers. */
  getParsedSchema(id: number): Promise<ParsedSchema>;
}
