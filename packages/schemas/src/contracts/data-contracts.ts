import { isEddyError, type CloudEvent, type OutgoingEvent, type PublishMiddleware } from '@eddy/core';
import { SchemaErrorCodes, SchemaViolationError } from '../errors.js';
import type { SchemaRegistry } from '../registry/schema-registry.js';
import { compileValidator } from './compile-validator.js';
import { dataSchemaUri } from './data-schema-uri.js';
import type { SchemaValidator } from './schema-validator.js';

/**
 * The outgoing event with its event replaced, written as the bus writes it (same properties, same
 * order) rather than spread: one object shape reaches the transport whether or not a contract ran.
 */
function withEvent(outgoing: OutgoingEvent, event: CloudEvent): OutgoingEvent {
  // `satisfies` names every property of OutgoingEvent: one added there must be passed on here too.
  return {
    topic: outgoing.topic,
    event,
    deliverAt: outgoing.deliverAt,
    dedupe: outgoing.dedupe,
  } satisfies Record<keyof OutgoingEvent, unknown>;
}

/** Options of `createDataContracts`. */
export interface DataContractsOptions {
  readonly registry: SchemaRegistry;
  /**
   * The subject an event type is bound to, or undefined for a type without a contract. Default: the
   * subject named as the type (`order.placed`).
   */
  readonly subjectFor?: (type: string) => string | undefined;
  /** Versions pinned by subject; other subjects use their latest live version. Default none. */
  readonly pinned?: Readonly<Record<string, number>>;
  /**
   * How long the version found for a type is trusted before the registry is asked again, ms: a
   * newly registered version (or a newly bound subject) takes effect within this. Default 5 000.
   */
  readonly refreshMs?: number;
  /** Refuse events whose subject has no live version, instead of publishing them unchecked. Default false. */
  readonly requireSchema?: boolean;
  /**
   * Base of the `dataschema` URI: `<base>/subjects/<subject>/versions/<version>`, which a gateway's
   * registry answers when the base is its `/registry` URL. Default `urn:eddy:registry`.
   */
  readonly schemaBaseUri?: string;
}

/** The schema an event of a type is checked against. */
export interface BoundSchema {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** The `dataschema` URI written on the event. */
  readonly uri: string;
  readonly validator: SchemaValidator;
}

/** Data contracts: the schema bound to each event type, and a check of event data against it. */
export interface DataContracts {
  /**
   * The schema events of `type` are checked against (cached for `refreshMs`), or undefined when the
   * type has no contract.
   */
  schemaFor(type: string): Promise<BoundSchema | undefined>;
  /**
   * Checks an event's data against its type's schema and returns the event with `dataschema` set,
   * or unchanged when the type has no contract. Throws `SchemaViolationError`
   * (`EDDY_SCHEMA_VIOLATION`) naming every failing path.
   */
  apply<TEvent extends CloudEvent>(event: TEvent): Promise<TEvent>;
  /** The same check as bus publish middleware: `createBus({ publishMiddleware: [contracts.publishMiddleware] })`. */
  readonly publishMiddleware: PublishMiddleware;
}

interface CacheEntry {
  readonly expiresAt: number;
  /** The settled lookup, so the publish path needs no await once cached. */
  settled: boolean;
  bound: BoundSchema | undefined;
  readonly lookup: Promise<BoundSchema | undefined>;
}

/**
 * Binds event types to registry subjects and checks event data before it is published: compiled
 * validators by schema id and cached lookups, so a publish of a bound type costs one map lookup and
 * one validation. The event's `dataschema` names the subject version it was checked against.
 */
export function createDataContracts(options: DataContractsOptions): DataContracts {
  const { registry } = options;
  const subjectFor = options.subjectFor ?? ((type: string) => type);
  const refreshMs = options.refreshMs ?? 5_000;
  const base = (options.schemaBaseUri ?? 'urn:eddy:registry').replace(/\/+$/, '');
  const validators = new Map<number, SchemaValidator>();
  const cache = new Map<string, CacheEntry>();

  const lookup = async (type: string): Promise<BoundSchema | undefined> => {
    const subject = subjectFor(type);
    if (subject === undefined) return undefined;
    let found;
    try {
      found = await registry.getVersion(subject, options.pinned?.[subject] ?? 'latest');
    } catch (error) {
      // A type whose subject the registry cannot hold (too long, control characters) has no schema
      // either: it is not a registry failure.
      const unnamed = isEddyError(error, SchemaErrorCodes.InvalidSubject);
      if (!unnamed && !isEddyError(error, SchemaErrorCodes.SubjectNotFound)) throw error;
      if (options.requireSchema === true) {
        throw new SchemaViolationError(`event type "${type}"`, [
          {
            path: '/',
            message: unnamed
              ? `has no schema: its subject cannot be registered (${(error as Error).message})`
              : `has no schema: register one under subject "${subject}"`,
          },
        ]);
      }
      return undefined;
    }
    let validator = validators.get(found.id);
    if (validator === undefined) {
      validator = compileValidator(await registry.getParsedSchema(found.id));
      validators.set(found.id, validator);
    }
    return {
      subject,
      version: found.version,
      id: found.id,
      uri: dataSchemaUri(base, { subject, version: found.version }),
      validator,
    };
  };

  const entryFor = (type: string): CacheEntry => {
    const now = Date.now();
    const cached = cache.get(type);
    if (cached !== undefined && cached.expiresAt > now) return cached;
    const entry: CacheEntry = {
      expiresAt: now + refreshMs,
      settled: false,
      bound: undefined,
      lookup: lookup(type),
    };
    cache.set(type, entry);
    entry.lookup.then(
      (bound) => {
        entry.bound = bound;
        entry.settled = true;
      },
      // A failed lookup is not kept: the next publish asks again.
      () => cache.delete(type),
    );
    return entry;
  };

  const check = <TEvent extends CloudEvent>(event: TEvent, bound: BoundSchema | undefined): TEvent => {
    if (bound === undefined) return event;
    const problems = bound.validator.validate(event.data);
    if (problems.length > 0) {
      throw new SchemaViolationError(`subject "${bound.subject}" version ${bound.version}`, problems);
    }
    // A re-published event may already name this version: no copy needed.
    if (event.dataschema === bound.uri) return event;
    if (event.dataschema !== undefined) return { ...event, dataschema: bound.uri };
    // Written before the spread: an attribute added after spreading the bus's event leaves V8 an
    // object shape that made every later step of the publish (validation, encoding) several µs
    // slower; written first, the copy keeps the fast shape (bench/contracts.bench.ts).
    return { dataschema: bound.uri, ...event };
  };

  const apply = async <TEvent extends CloudEvent>(event: TEvent): Promise<TEvent> => {
    const entry = entryFor(event.type);
    return check(event, entry.settled ? entry.bound : await entry.lookup);
  };

  return {
    schemaFor: (type) => entryFor(type).lookup,
    apply,
    publishMiddleware: (next) => (outgoing) => {
      const entry = entryFor(outgoing.event.type);
      // Once the lookup settled, the check runs without waiting on anything.
      if (entry.settled) {
        const event = check(outgoing.event, entry.bound);
        return next(event === outgoing.event ? outgoing : withEvent(outgoing, event));
      }
      return apply(outgoing.event).then((event) => next(withEvent(outgoing, event)));
    },
  };
}
