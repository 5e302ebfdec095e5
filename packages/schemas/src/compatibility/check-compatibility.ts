import { avroIncompatibilities } from '../avro/avro-compatibility.js';
import { jsonSchemaIncompatibilities } from '../json-schema/json-schema-diff.js';
import type { Incompatibility } from '../parsed-schema.js';
import { protobufIncompatibilities } from '../protobuf/protobuf-compatibility.js';
import type { ParsedSchema } from '../schema-parser.js';
import type { CompatibilityLevel } from '../types.js';

/** Which way data flows in one check: the new schema reads old data, or old schemas read new data. */
export type Direction = 'backward' | 'forward';

/** One broken rule, with the version it was checked against and the direction. */
export interface VersionedIncompatibility extends Incompatibility {
  readonly version: number;
  readonly direction: Direction;
}

/** The answer to "may this schema follow those versions?". */
export interface CompatibilityResult {
  readonly compatible: boolean;
  /** One line per broken rule: the kind, the path, the version and direction, and why. */
  readonly messages: readonly string[];
  readonly incompatibilities: readonly VersionedIncompatibility[];
}

/** An earlier version of the subject, parsed. */
export interface PreviousVersion {
  readonly version: number;
  readonly parsed: ParsedSchema;
}

/** Every reason `reader` cannot read data written with `writer`. */
export function canRead(reader: ParsedSchema, writer: ParsedSchema): Incompatibility[] {
  if (reader.schemaType !== writer.schemaType) {
    return [
      {
        kind: 'SCHEMA_TYPE_CHANGED',
        path: '/',
        message: `the schema type changed from ${writer.schemaType} to ${reader.schemaType}`,
      },
    ];
  }
  switch (reader.schemaType) {
    case 'AVRO': {
      const found = avroIncompatibilities(reader.type, (writer as typeof reader).type);
      if (found.length > 0) return found;
      try {
        // avsc decides whether decoding works; the walk above explains why when it does not.
        reader.type.createResolver((writer as typeof reader).type, { ignoreNamespaces: true });
        return [];
      } catch (error) {
        return [{ kind: 'TYPE_MISMATCH', path: '/', message: (error as Error).message }];
      }
    }
    case 'JSON':
      return jsonSchemaIncompatibilities(reader, writer as typeof reader);
    case 'PROTOBUF':
      return protobufIncompatibilities(reader, writer as typeof reader);
  }
}

const DIRECTIONS: Readonly<Record<CompatibilityLevel, readonly Direction[]>> = {
  NONE: [],
  BACKWARD: ['backward'],
  BACKWARD_TRANSITIVE: ['backward'],
  FORWARD: ['forward'],
  FORWARD_TRANSITIVE: ['forward'],
  FULL: ['backward', 'forward'],
  FULL_TRANSITIVE: ['backward', 'forward'],
};

/**
 * Checks a candidate against earlier versions (oldest first) under a level: the latest one only,
 * or all of them for the transitive levels, newest first as Confluent reports them.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly PreviousVersion[],
): CompatibilityResult {
  const directions = DIRECTIONS[level];
  const against = level.endsWith('_TRANSITIVE') ? [...previous].reverse() : previous.slice(-1);
  const incompatibilities: VersionedIncompatibility[] = [];
  for (const { version, parsed } of against) {
    for (const direction of directions) {
      const found = direction === 'backward' ? canRead(candidate, parsed) : canRead(parsed, candidate);
      for (const incompatibility of found) incompatibilities.push({ ...incompatibility, version, direction });
    }
  }
  return {
    compatible: incompatibilities.length === 0,
    messages: incompatibilities.map(describeIncompatibility),
    incompatibilities,
  };
}

export function describeIncompatibility(incompatibility: VersionedIncompatibility): string {
  const flow =
    incompatibility.direction === 'backward'
      ? `the new schema cannot read data written with version ${incompatibility.version}`
      : `version ${incompatibility.version} cannot read data written with the new schema`;
  return `${incompatibility.kind} at ${incompatibility.path}: ${flow}: ${incompatibility.message}`;
}
