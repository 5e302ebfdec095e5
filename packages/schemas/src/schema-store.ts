import type { CompatibilityLevel, Mode, SchemaReference, SchemaType } from './types.js';

/** A schema's content, stored once under its global id whatever subjects use it. */
export interface StoredSchema {
  readonly id: number;
  readonly schemaType: SchemaType;
  /** The text as first registered. */
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  /**
   * Identity of the content, computed by the registry from the normalized schema, its type and its
   * references: two registrations of one schema carry the same fingerprint. Unique in the store.
   */
  readonly fingerprint: string;
}

/** A schema to store; the store picks the id unless an import asks for one. */
export type NewSchema = Omit<StoredSchema, 'id'>;

/** One version of a subject: which schema it holds and whether it is soft-deleted. */
export interface StoredVersion {
  readonly subject: string;
  readonly version: number;
  readonly schemaId: number;
  readonly deleted: boolean;
}

/** What `putSchema` did. */
export type PutSchemaResult =
  /** The content is stored under `id`: just now (`created`), or it was already (`existing`). */
  | { readonly outcome: 'created' | 'existing'; readonly id: number }
  /** The requested id holds other content (`id` is the requested one). */
  | { readonly outcome: 'id-taken'; readonly id: number }
  /** The content is already stored under another id than the requested one (`id` is that other id). */
  | { readonly outcome: 'stored-under-other-id'; readonly id: number };

/** Settings of one scope (a subject, or the whole registry): absent means "not set here". */
export interface ScopeConfig {
  readonly compatibility?: CompatibilityLevel;
  readonly mode?: Mode;
}

/** A change to a scope's settings: a value sets it, `null` removes it, absent leaves it. */
export interface ScopeConfigUpdate {
  readonly compatibility?: CompatibilityLevel | null;
  readonly mode?: Mode | null;
}

/**
 * Where the schema registry keeps schemas (by global id), subjects' versions, and settings.
 * The registry holds all the rules (compatibility, modes, soft before permanent delete); a store
 * only keeps data and makes two operations atomic, so concurrent registrations through any number
 * of registry instances on one store never share an id or a version:
 * - `putSchema` stores content once: concurrent calls for one fingerprint return one id, calls for
 *   different fingerprints get different ids;
 * - `addVersion` succeeds for exactly one of concurrent calls on the same (subject, version).
 * Every method is a single short operation (one statement or transaction in SQL); none holds a
 * transaction open across calls. After `close()` every method rejects with `EDDY_CLOSED`.
 */
export interface SchemaStore {
  /**
   * Stores content under a new id (greater than any id stored so far, imported ones included), or
   * under `options.id` when an import asks for one; returns the existing id when the fingerprint
   * is stored already. Never changes stored content.
   */
  putSchema(schema: NewSchema, options?: { readonly id?: number }): Promise<PutSchemaResult>;
  /** The schema with this id, whether or not any version still uses it. */
  getSchema(id: number): Promise<StoredSchema | undefined>;
  /** The schema with this fingerprint. */
  findSchema(fingerprint: string): Promise<StoredSchema | undefined>;
  /** Adds a live version; false when the subject already has that version number (a lost race). */
  addVersion(version: {
    readonly subject: string;
    readonly version: number;
    readonly schemaId: number;
  }): Promise<boolean>;
  /** The subject's versions, soft-deleted ones included, in ascending version order. */
  listVersions(subject: string): Promise<StoredVersion[]>;
  /** Subject names in ascending order: those with a live version, or with any version when `includeDeleted`. */
  listSubjects(options: { readonly includeDeleted: boolean }): Promise<string[]>;
  /** Every version (soft-deleted too) holding this schema id, by subject then version. */
  listVersionsOfSchema(id: number): Promise<StoredVersion[]>;
  /** Every version (soft-deleted too) whose schema declares a reference to this subject and version. */
  listReferrers(subject: string, version: number): Promise<StoredVersion[]>;
  /** Marks a live version soft-deleted; false when there is no such live version. */
  softDeleteVersion(subject: string, version: number): Promise<boolean>;
  /** Removes a version for good; false when there is no such version. Schemas stay (ids are never reused). */
  deleteVersion(subject: string, version: number): Promise<boolean>;
  /** Settings of a subject, or of the registry as a whole when `subject` is null. */
  getConfig(subject: string | null): Promise<ScopeConfig>;
  /** Changes settings of a subject (or of the registry when null) and returns them as they are now. */
  updateConfig(subject: string | null, update: ScopeConfigUpdate): Promise<ScopeConfig>;
  close(): Promise<void>;
}
