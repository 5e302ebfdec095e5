import protobuf from 'protobufjs';
import { avroChecker } from '../avro/avro-validator.js';
import { InvalidSchemaError, SchemaViolationError, type SchemaViolationProblem } from '../errors.js';
import { jsonSchemaChecker } from '../json-schema/json-schema-validator.js';
import { protobufChecker } from '../protobuf/protobuf-validator.js';
import type { ParsedSchema } from '../schema-parser.js';
import type { SchemaValidator } from './schema-validator.js';

/** For Protobuf: which message of the file the data is (default: the file's first message, as Confluent). */
export interface CompileValidatorOptions {
  readonly messageName?: string;
}

/**
 * Compiles a validator for event data once: ajv for JSON Schema, avsc `isValid` for Avro,
 * protobufjs `verify` for Protobuf. Each failure lists every failing path.
 */
export function compileValidator(
  schema: ParsedSchema,
  options: CompileValidatorOptions = {},
): SchemaValidator {
  let check: (data: unknown) => readonly SchemaViolationProblem[];
  switch (schema.schemaType) {
    case 'AVRO':
      check = avroChecker(schema.type);
      break;
    case 'JSON':
      check = jsonSchemaChecker(schema.compile());
      break;
    case 'PROTOBUF':
      check = protobufChecker(messageOf(schema, options.messageName));
      break;
  }
  return {
    schemaType: schema.schemaType,
    validate: check,
    assert(data, subject = 'its schema') {
      const problems = check(data);
      if (problems.length > 0) throw new SchemaViolationError(subject, problems);
    },
  };
}

function messageOf(
  schema: Extract<ParsedSchema, { schemaType: 'PROTOBUF' }>,
  name: string | undefined,
): protobuf.Type {
  const messages = schema.types.filter((type): type is protobuf.Type => type instanceof protobuf.Type);
  const found =
    name === undefined
      ? messages[0]
      : (messages.find((type) => type.name === name || type.fullName.replace(/^\./, '') === name) ??
        (() => {
          try {
            return schema.root.lookupType(name);
          } catch {
            return undefined;
          }
        })());
  if (found === undefined) {
    throw new InvalidSchemaError(
      `Message "${name ?? '(first)'}" is not in the Protobuf schema. Name one of ${messages.map((type) => type.name).join(', ')}.`,
    );
  }
  return found;
}
