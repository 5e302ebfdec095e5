import avro from 'avsc';
import { canonicalJson } from '../canonical-json.js';
import { InvalidSchemaError } from '../errors.js';
import { flattenReferences, type ParsedSchemaBase, type ResolvedReference } from '../parsed-schema.js';
import type { SchemaReference } from '../types.js';
import type { AvroType } from './avro-types.js';

/** An Avro schema parsed by avsc, with the named types of its references in scope. */
export interface ParsedAvroSchema extends ParsedSchemaBase {
  readonly schemaType: 'AVRO';
  readonly type: AvroType;
}

const readJson = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidSchemaError(`Invalid Avro schema${what}: not JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
};

/** The canonical form alone (cheap): sorted-key JSON, enough to tell whether a schema is known. */
export function canonicalAvro(text: string): string {
  return canonicalJson(readJson(text, ''));
}

/**
 * Parses with avsc, which checks names, field defaults against their types, enum defaults and
 * duplicate definitions. Referenced schemas are parsed first into one name registry, so the schema
 * can use their named types by full name, as the Avro specification resolves names.
 */
export function parseAvro(
  text: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
): ParsedAvroSchema {
  const json = readJson(text, '');
  const registry: Record<string, AvroType> = {};
  for (const reference of flattenReferences(resolved)) {
    if (reference.schemaType !== 'AVRO') {
      throw new InvalidSchemaError(
        `Reference "${reference.name}" (${reference.subject} version ${reference.version}) is ${reference.schemaType}; an Avro schema can only reference Avro schemas.`,
      );
    }
    try {
      avro.Type.forSchema(readJson(reference.schema, ` in reference "${reference.name}"`) as avro.Schema, {
        registry,
      });
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw error;
      throw new InvalidSchemaError(
        `Invalid Avro schema in reference "${reference.name}": ${(error as Error).message}.`,
        { cause: error },
      );
    }
  }
  for (const reference of references) {
    if (registry[reference.name] === undefined) {
      throw new InvalidSchemaError(
        `Reference "${reference.name}" names no type its schema defines (${reference.subject} version ${reference.version} defines ${Object.keys(registry).join(', ') || 'no named type'}). ` +
          'Name an Avro reference by the full name of the type it defines.',
      );
    }
  }
  let type: AvroType;
  try {
    type = avro.Type.forSchema(json as avro.Schema, { registry });
  } catch (error) {
    throw new InvalidSchemaError(`Invalid Avro schema: ${(error as Error).message}.`, { cause: error });
  }
  return { schemaType: 'AVRO', schema: text, references, canonical: canonicalJson(json), type };
}
