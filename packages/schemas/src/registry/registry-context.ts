import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { PreviousVersion } from '../compatibility/check-compatibility.js';
import {
  InvalidSchemaError,
  InvalidSubjectError,
  InvalidVersionError,
  SchemaNotFoundError,
  SchemaTooLargeError,
} from '../errors.js';
import type { ResolvedReference } from '../parsed-schema.js';
import type { SchemaStore, StoredVersion } from '../schema-store.js';
import { canonicalForm, parseSchema, type ParsedSchema } from '../schema-parser.js';
import {
  toSchemaType,
  type CompatibilityLevel,
  type Mode,
  type SchemaInput,
  type SchemaReference,
  type SchemaType,
} from '../types.js';
import type { SchemaRegistryOptions, VersionSelector } from './schema-registry.js';

export const DEFAULT_MAX_SCHEMA_BYTES = 1_048_576;
const MAX_SUBJECT_LENGTH = 255;
const MAX_CACHED_INPUT_CHARS = 16_384;
/** Deepest chain of references followed; deeper chains are almost surely cycles. */
const MAX_REFERENCE_DEPTH = 32;

/** A request's schema, read and checked up to the point where storage is needed. */
export interface ReadInput {
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  readonly fingerprint: string;
}

/** What the registry's operations share: the store, the options in force, the parsed-schema cache. */
export class RegistryContext {
  readonly store: SchemaStore;
  readonly maxSchemaBytes: number;
  readonly defaultCompatibility: CompatibilityLevel;
  readonly defaultMode: Mode;
  readonly #cacheSize: number;
  readonly #parsed = new Map<number, ParsedSchema>();
  /** Requests already read, by their text: clients re-send the same schema on every start. */
  readonly #inputs = new Map<string, ReadInput>();

  constructor(options: SchemaRegistryOptions) {
    this.store = options.store;
    this.maxSchemaBytes = options.maxSchemaBytes ?? DEFAULT_MAX_SCHEMA_BYTES;
    this.defaultCompatibility = options.defaultCompatibility ?? 'BACKWARD';
    this.defaultMode = options.defaultMode ?? 'READWRITE';
    this.#cacheSize = options.parsedCacheSize ?? 1_000;
  }

  /** The level in force for a subject: its own, else the registry's, else the default. */
  async compatibilityOf(subject: string): Promise<CompatibilityLevel> {
    return (
      (await this.store.getConfig(subject)).compatibility ??
      (await this.store.getConfig(null)).compatibility ??
      this.defaultCompatibility
    );
  }

  /** The mode in force for a subject: its own, else the registry's, else the default. */
  async modeOf(subject: string): Promise<Mode> {
    return (
      (await this.store.getConfig(subject)).mode ??
      (await this.store.getConfig(null)).mode ??
      this.defaultMode
    );
  }

  /** Checks size, type and references, and computes the fingerprint; does not parse fully. */
  readInput(input: SchemaInput): ReadInput {
    const key = `${input.schemaType ?? ''}\u0000${JSON.stringify(input.references ?? [])}\u0000${input.schema}`;
    const known = this.#inputs.get(key);
    if (known !== undefined) return known;
    const read = this.#readInput(input);
    // Large texts are not kept: the cache is for the many small schemas clients send again and again.
    if (input.schema.length > MAX_CACHED_INPUT_CHARS) return read;
    this.#inputs.set(key, read);
    if (this.#inputs.size > this.#cacheSize) {
      const oldest = this.#inputs.keys().next();
      if (oldest.done !== true) this.#inputs.delete(oldest.value);
    }
    return read;
  }

  #readInput(input: SchemaInput): ReadInput {
    if (typeof input.schema !== 'string' || input.schema.trim() === '') {
      throw new InvalidSchemaError('Empty schema. Send the schema text in the schema field.');
    }
    const size = Buffer.byteLength(input.schema, 'utf8');
    if (size > this.maxSchemaBytes) throw new SchemaTooLargeError(size, this.maxSchemaBytes);
    const schemaType = toSchemaType(input.schemaType);
    const references = (input.references ?? []).map((reference) => checkReference(reference));
    const canonical = canonicalForm(schemaType, input.schema);
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ schemaType, canonical, references }))
      .digest('base64url');
    return { schemaType, schema: input.schema, references, fingerprint };
  }

  /** Loads what references point at, recursively, from the store. */
  async resolveReferences(references: readonly SchemaReference[], depth = 0): Promise<ResolvedReference[]> {
    if (depth > MAX_REFERENCE_DEPTH) {
      throw new InvalidSchemaError(
        `References nest deeper than ${MAX_REFERENCE_DEPTH} levels; is there a cycle?`,
      );
    }
    const resolved: ResolvedReference[] = [];
    for (const reference of references) {
      const version = (await this.store.listVersions(reference.subject)).find(
        (candidate) => candidate.version === reference.version,
      );
      const schema = version === undefined ? undefined : await this.store.getSchema(version.schemaId);
      if (schema === undefined) {
        throw new InvalidSchemaError(
          `Reference "${reference.name}" points at version ${reference.version} of subject "${reference.subject}", which does not exist. Register it first.`,
        );
      }
      resolved.push({
        ...reference,
        schemaType: schema.schemaType,
        schema: schema.schema,
        references: await this.resolveReferences(schema.references, depth + 1),
      });
    }
    return resolved;
  }

  /** Parses a request's schema fully (references resolved). */
  async parseInput(input: ReadInput): Promise<ParsedSchema> {
    return parseSchema(
      input.schemaType,
      input.schema,
      input.references,
      await this.resolveReferences(input.references),
    );
  }

  /** A stored schema parsed, from the cache when it is there. */
  async parsedById(id: number): Promise<ParsedSchema> {
    const cached = this.#parsed.get(id);
    if (cached !== undefined) {
      // Re-inserting keeps the map in least-recently-used order for eviction.
      this.#parsed.delete(id);
      this.#parsed.set(id, cached);
      return cached;
    }
    const stored = await this.store.getSchema(id);
    if (stored === undefined) throw new SchemaNotFoundError(`Schema ${id} not found.`);
    const parsed = parseSchema(
      stored.schemaType,
      stored.schema,
      stored.references,
      await this.resolveReferences(stored.references),
    );
    this.remember(id, parsed);
    return parsed;
  }

  remember(id: number, parsed: ParsedSchema): void {
    this.#parsed.set(id, parsed);
    if (this.#parsed.size > this.#cacheSize) {
      const oldest = this.#parsed.keys().next();
      if (oldest.done !== true) this.#parsed.delete(oldest.value);
    }
  }

  /** Live versions parsed, oldest first, for a compatibility check. */
  async parsedVersions(versions: readonly StoredVersion[]): Promise<PreviousVersion[]> {
    const previous: PreviousVersion[] = [];
    for (const version of versions) {
      previous.push({ version: version.version, parsed: await this.parsedById(version.schemaId) });
    }
    return previous;
  }
}

export function checkSubject(subject: unknown): string {
  if (typeof subject !== 'string' || subject.length === 0)
    throw new InvalidSubjectError(String(subject), 'it is empty');
  if (subject.length > MAX_SUBJECT_LENGTH) {
    throw new InvalidSubjectError(subject, `it is longer than ${MAX_SUBJECT_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(subject))
    throw new InvalidSubjectError(subject, 'it holds control characters');
  if (subject === '__GLOBAL' || subject === '__EMPTY') {
    throw new InvalidSubjectError(subject, 'the name is reserved by Confluent Schema Registry');
  }
  return subject;
}

/** Reads a version selector: a positive integer, or `latest`/-1 (returned as `'latest'`). */
export function checkVersion(version: VersionSelector): number | 'latest' {
  const text = typeof version === 'number' ? String(version) : version.trim().toLowerCase();
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d+$/.test(text)) throw new InvalidVersionError(version);
  const number = Number(text);
  if (number < 1 || number > 2_147_483_647) throw new InvalidVersionError(version);
  return number;
}

function checkReference(reference: SchemaReference): SchemaReference {
  const ok =
    typeof reference === 'object' &&
    reference !== null &&
    typeof reference.name === 'string' &&
    reference.name !== '' &&
    typeof reference.subject === 'string' &&
    reference.subject !== '' &&
    Number.isInteger(reference.version) &&
    reference.version >= 1;
  if (!ok) {
    throw new InvalidSchemaError(
      `Invalid reference ${JSON.stringify(reference)}: give { name, subject, version } with a positive integer version.`,
    );
  }
  return { name: reference.name, subject: reference.subject, version: reference.version };
}
