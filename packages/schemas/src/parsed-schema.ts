import type { SchemaReference, SchemaType } from './types.js';

/**
 * A reference with the schema it points at, and that schema's own references, resolved by the
 * registry before parsing so the parsers never reach for storage.
 */
export interface ResolvedReference extends SchemaReference {
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly references: readonly ResolvedReference[];
}

/** What every parsed schema carries, whatever its type. */
export interface ParsedSchemaBase {
  readonly schemaType: SchemaType;
  /** The schema text as given. */
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  /**
   * The schema's normal form: equal for two texts that differ only in spelling (whitespace, key
   * order, comments), so registering either returns the same id.
   */
  readonly canonical: string;
}

/** One rule a schema change breaks: where, which rule (a stable kind), and in words. */
export interface Incompatibility {
  /** Confluent's name for the kind of change, e.g. `TYPE_CHANGED`, `READER_FIELD_MISSING_DEFAULT_VALUE`. */
  readonly kind: string;
  /** Where in the schema: a JSON pointer (`#/properties/age`) or an Avro/Protobuf path. */
  readonly path: string;
  readonly message: string;
}

/** Flattens a reference tree depth-first, dependencies before dependants, each (subject, version) once. */
export function flattenReferences(references: readonly ResolvedReference[]): ResolvedReference[] {
  const seen = new Set<string>();
  const ordered: ResolvedReference[] = [];
  const visit = (reference: ResolvedReference): void => {
    const key = `${reference.subject}\u0000${reference.version}`;
    if (seen.has(key)) return;
    seen.add(key);
    reference.references.forEach(visit);
    ordered.push(reference);
  };
  references.forEach(visit);
  return ordered;
}
