import { canonicalAvro, parseAvro, type ParsedAvroSchema } from './avro/parse-avro.js';
import {
  canonicalJsonSchema,
  parseJsonSchema,
  type ParsedJsonSchema,
} from './json-schema/parse-json-schema.js';
import type { ResolvedReference } from './parsed-schema.js';
import { canonicalProtobuf, parseProtobuf, type ParsedProtobufSchema } from './protobuf/parse-protobuf.js';
import type { SchemaReference, SchemaType } from './types.js';

/** A schema of any type, parsed and checked. */
export type ParsedSchema = ParsedAvroSchema | ParsedJsonSchema | ParsedProtobufSchema;

/** Parses and checks a schema of the given type, with its references already resolved. */
export function parseSchema(
  schemaType: SchemaType,
  text: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
): ParsedSchema {
  switch (schemaType) {
    case 'AVRO':
      return parseAvro(text, references, resolved);
    case 'JSON':
      return parseJsonSchema(text, references, resolved);
    case 'PROTOBUF':
      return parseProtobuf(text, references, resolved);
  }
}

/**
 * The canonical form without a full parse, to find an already-registered schema cheaply; throws
 * the same invalid-schema error as a full parse when the text is not even well-formed.
 */
export function canonicalForm(schemaType: SchemaType, text: string): string {
  switch (schemaType) {
    case 'AVRO':
      return canonicalAvro(text);
    case 'JSON':
      return canonicalJsonSchema(text);
    case 'PROTOBUF':
      return canonicalProtobuf(text);
  }
}
