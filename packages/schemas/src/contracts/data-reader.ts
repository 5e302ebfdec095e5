import type { BusEvent, Middleware } from '@eddy/core';
import { SchemaViolationError } from '../errors.js';
import type { SchemaRegistry } from '../registry/schema-registry.js';
import { parseDataSchemaUri, withDataSchemaRef, type DataSchemaRef } from './data-schema-uri.js';
import { createValidatorCache, type ValidatorCache } from './validator-cache.js';

/** Options of `createDataReader`. */
export interface DataReaderOptions {
  readonly registry: SchemaRegistry;
  /**
   * The subject a consumer of an event type reads with, or undefined for a type it takes as it
   * comes. Default: the subject named as the type (`order.placed`).
   */
  readonly subjectFor?: (type: string) => string | undefined;
  /** Reader versions pinned by subject; other subjects read with their latest live version. Default none. */
  readonly pinned?: Readonly<Record<string, number>>;
  /**
   * How long the reader version found for a subject is trusted before the registry is asked again,
   * ms. Default 5 000.
   */
  readonly refreshMs?: number;
  /** Refuse events of a bound type that carry no `dataschema`, instead of passing them on unchecked. Default false. */
  readonly requireSchema?: boolean;
  /** Compiled validators and Avro readers, by schema id. Default: a cache of its own. */
  readonly validators?: ValidatorCache;
}

/** Reads events written with any registered version of their schema as the consumer's version. */
export interface DataReader {
  /**
   * The event as the consumer's schema version sees it: Avro data resolved from the writer version
   * (named by `dataschema`) to the reader version, `dataschema` rewritten to the reader version;
   * JSON Schema and Protobuf data checked against the writer version and passed on as it is.
   * Throws `SchemaViolationError` (`EDDY_SCHEMA_VIOLATION`, not retriable) for data that does not
   * match its writer version, and `IncompatibleSchemaError` when Avro reader and writer cannot be
   * resolved.
   */
  read<TEvent extends BusEvent>(event: TEvent): Promise<TEvent>;
  /** `read` as consumer middleware, for the bus's or a handler's `middleware` (the validation/upcast slot). */
  readonly middleware: Middleware;
}

interface ReaderVersion {
  readonly expiresAt: number;
  readonly lookup: Promise<{ readonly id: number; readonly version: number }>;
}

/**
 * Consumer side of data contracts: each event names the schema version it was written with
 * (`dataschema`, set by `createDataContracts`), and the consumer reads it with its own version.
 */
export function createDataReader(options: DataReaderOptions): DataReader {
  const { registry } = options;
  const subjectFor = options.subjectFor ?? ((type: string) => type);
  const refreshMs = options.refreshMs ?? 5_000;
  const validators = options.validators ?? createValidatorCache({ registry });
  // A subject version never changes its schema, so writer ids are kept for good.
  const writerIds = new Map<string, Promise<number>>();
  const readerVersions = new Map<string, ReaderVersion>();

  const writerId = (ref: DataSchemaRef): Promise<number> => {
    const key = `${ref.version}:${ref.subject}`;
    let id = writerIds.get(key);
    if (id === undefined) {
      // Soft-deleted versions still describe data written while they were live.
      id = registry.getVersion(ref.subject, ref.version, { deleted: true }).then((found) => found.id);
      writerIds.set(key, id);
      id.catch(() => writerIds.delete(key));
    }
    return id;
  };

  const readerVersion = (subject: string): ReaderVersion['lookup'] => {
    const now = Date.now();
    const cached = readerVersions.get(subject);
    if (cached !== undefined && cached.expiresAt > now) return cached.lookup;
    const lookup = registry
      .getVersion(subject, options.pinned?.[subject] ?? 'latest')
      .then((found) => ({ id: found.id, version: found.version }));
    readerVersions.set(subject, { expiresAt: now + refreshMs, lookup });
    lookup.catch(() => readerVersions.delete(subject));
    return lookup;
  };

  const read = async <TEvent extends BusEvent>(event: TEvent): Promise<TEvent> => {
    const subject = subjectFor(event.type);
    if (subject === undefined) return event;
    const written = parseDataSchemaUri(event.dataschema);
    if (written === undefined) {
      if (options.requireSchema !== true) return event;
      throw new SchemaViolationError(`event ${event.id} of type "${event.type}"`, [
        {
          path: '/',
          message: `has no dataschema naming its schema version: publish it through data contracts (subject "${subject}")`,
        },
      ]);
    }
    const id = await writerId(written);
    const writerValidator = await validators.validator(id);
    // Avro binary data is checked by decoding it; data in JSON form is checked here.
    const binary = event.data instanceof Uint8Array;
    const problems = binary ? [] : writerValidator.validate(event.data);
    if (problems.length > 0) {
      throw new SchemaViolationError(
        `subject "${written.subject}" version ${written.version} (its dataschema)`,
        problems,
      );
    }
    if (writerValidator.schemaType !== 'AVRO') return event;
    const reader = await readerVersion(subject);
    if (reader.id === id && !binary) return event;
    const resolve = await validators.avroReader({ writerId: id, readerId: reader.id });
    const data = binary ? resolve.read(Buffer.from(event.data)) : resolve.convert(event.data);
    return {
      ...event,
      data,
      dataschema: withDataSchemaRef(event.dataschema!, { subject, version: reader.version }),
    };
  };

  return { read, middleware: (next) => async (event, ctx) => next(await read(event), ctx) };
}
