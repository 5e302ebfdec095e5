import { canRead } from '../compatibility/check-compatibility.js';
import { IncompatibleSchemaError, InvalidSchemaError } from '../errors.js';
import type { ParsedAvroSchema } from '../avro/parse-avro.js';
import type { ParsedSchema } from '../schema-parser.js';

/** Decodes Avro binary written with one schema version into the shape of another. */
export interface AvroReader {
  /** Decodes one value written with the writer schema, as the reader schema sees it. */
  read(buffer: Buffer): unknown;
  /**
   * Converts a value in the writer schema's shape (as JSON events carry it) into the reader
   * schema's shape. The value must be valid for the writer schema.
   */
  convert(value: unknown): unknown;
}

/**
 * Reads data written with an older (or newer) Avro schema through a newer reader schema, with
 * avsc's resolver: fields the writer lacks take the reader's defaults, promotions apply (int to
 * long, string to bytes), fields the reader dropped are skipped.
 */
export function createAvroReader(options: {
  readonly writer: ParsedSchema;
  readonly reader: ParsedSchema;
}): AvroReader {
  const writer = avroOnly(options.writer, 'writer');
  const reader = avroOnly(options.reader, 'reader');
  const problems = canRead(reader, writer);
  if (problems.length > 0) {
    throw new IncompatibleSchemaError(
      'the writer schema it must read',
      problems.map((problem) => `${problem.kind} at ${problem.path}: ${problem.message}`),
    );
  }
  const resolver = reader.type.createResolver(writer.type, { ignoreNamespaces: true });
  return {
    read: (buffer) => reader.type.fromBuffer(buffer, resolver) as unknown,
    // avsc resolves only encoded data, so the value takes one trip through the writer's binary form.
    convert: (value) => reader.type.fromBuffer(writer.type.toBuffer(value), resolver) as unknown,
  };
}

function avroOnly(schema: ParsedSchema, role: string): ParsedAvroSchema {
  if (schema.schemaType !== 'AVRO') {
    throw new InvalidSchemaError(
      `The ${role} schema is ${schema.schemaType}; an Avro reader needs Avro schemas.`,
    );
  }
  return schema;
}
