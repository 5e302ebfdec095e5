import type { SchemaRegistry } from '../registry/schema-registry.js';
import { createAvroReader, type AvroReader } from './avro-reader.js';
import { compileValidator } from './compile-validator.js';
import type { SchemaValidator } from './schema-validator.js';

/** Options of `createValidatorCache`. */
export interface ValidatorCacheOptions {
  readonly registry: SchemaRegistry;
  /** Compiled validators (and Avro readers) kept, by schema id. Default 1_000. */
  readonly maxEntries?: number;
}

/** Validators and Avro readers by schema id, compiled on first use and kept. */
export interface ValidatorCache {
  /** The validator of a registered schema (compiled once per id). */
  validator(id: number): Promise<SchemaValidator>;
  /** A reader decoding data written with schema `writerId` as schema `readerId` (Avro). */
  avroReader(ids: { readonly writerId: number; readonly readerId: number }): Promise<AvroReader>;
}

export function createValidatorCache(options: ValidatorCacheOptions): ValidatorCache {
  const maxEntries = options.maxEntries ?? 1_000;
  const validators = new Map<number, Promise<SchemaValidator>>();
  const readers = new Map<string, Promise<AvroReader>>();
  const remember = <K, V>(map: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> => {
    let entry = map.get(key);
    if (entry === undefined) {
      entry = make();
      map.set(key, entry);
      // A failed compile is not kept: the next call tries again (the schema may not exist yet).
      entry.catch(() => map.delete(key));
      if (map.size > maxEntries) map.delete(map.keys().next().value as K);
    }
    return entry;
  };
  return {
    validator: (id) =>
      remember(validators, id, async () => compileValidator(await options.registry.getParsedSchema(id))),
    avroReader: ({ writerId, readerId }) =>
      remember(readers, `${writerId}:${readerId}`, async () =>
        createAvroReader({
          writer: await options.registry.getParsedSchema(writerId),
          reader: await options.registry.getParsedSchema(readerId),
        }),
      ),
  };
}
