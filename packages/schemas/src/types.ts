import { InvalidCompatibilityLevelError, InvalidModeError, UnknownSchemaTypeError } from './errors.js';

/** The schema languages the registry understands; AVRO when a request names none, as Confluent. */
export const SchemaTypes = ['AVRO', 'JSON', 'PROTOBUF'] as const;
export type SchemaType = (typeof SchemaTypes)[number];

/** Confluent's compatibility levels; BACKWARD is the global default. */
export const CompatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof CompatibilityLevels)[number];

/** Confluent's registry modes; READWRITE is the global default. */
export const Modes = ['READWRITE', 'READONLY', 'IMPORT'] as const;
export type Mode = (typeof Modes)[number];

/**
 * A schema another schema builds on, as Confluent declares it: `name` is how the referring schema
 * names it (an Avro full type name, a JSON Schema `$ref` URL, a Protobuf import path), and
 * `subject`/`version` say where it is registered.
 */
export interface SchemaReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

/** What a caller hands the registry: the schema text, its type and what it references. */
export interface SchemaInput {
  readonly schema: string;
  /** Default AVRO. Accepts any case. */
  readonly schemaType?: string;
  readonly references?: readonly SchemaReference[];
}

/** A schema as the registry returns it by id. */
export interface SchemaById {
  readonly id: number;
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly references: readonly SchemaReference[];
}

/** A schema as registered under a subject at a version. */
export interface SubjectSchema extends SchemaById {
  readonly subject: string;
  readonly version: number;
  /** True for a soft-deleted version (only returned when deleted ones were asked for). */
  readonly deleted: boolean;
}

/** Reads a schema type from a request; undefined or empty means AVRO. */
export function toSchemaType(value: string | undefined): SchemaType {
  if (value === undefined || value === '') return 'AVRO';
  const upper = value.toUpperCase();
  if ((SchemaTypes as readonly string[]).includes(upper)) return upper as SchemaType;
  throw new UnknownSchemaTypeError(value);
}

/** Reads a compatibility level from a request, in any case. */
export function toCompatibilityLevel(value: unknown): CompatibilityLevel {
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  if (upper !== undefined && (CompatibilityLevels as readonly string[]).includes(upper)) {
    return upper as CompatibilityLevel;
  }
  throw new InvalidCompatibilityLevelError(value);
}

/** Reads a mode from a request, in any case. */
export function toMode(value: unknown): Mode {
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  if (upper !== undefined && (Modes as readonly string[]).includes(upper)) return upper as Mode;
  throw new InvalidModeError(value);
}
