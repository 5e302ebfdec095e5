import type avro from 'avsc';

/**
 * The parts of avsc's type objects the registry reads. avsc's own declarations type most of these
 * as `any`; naming them here keeps the rest of the package typed.
 */
export type AvroType = avro.Type;

export interface AvroField {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: AvroType;
  defaultValue(): unknown;
}

/** The type's kind without avsc's prefixes: `union:wrapped` -> `union`, `logical:date` -> `date`'s underlying type. */
export function avroKind(type: AvroType): string {
  const name = type.typeName;
  if (name.startsWith('union:')) return 'union';
  if (name === 'error') return 'record';
  return name;
}

export const recordFields = (type: AvroType): readonly AvroField[] =>
  (type as unknown as { fields: readonly AvroField[] }).fields;

export const unionBranches = (type: AvroType): readonly AvroType[] =>
  (type as unknown as { types: readonly AvroType[] }).types;

export const arrayItems = (type: AvroType): AvroType =>
  (type as unknown as { itemsType: AvroType }).itemsType;

export const mapValues = (type: AvroType): AvroType =>
  (type as unknown as { valuesType: AvroType }).valuesType;

export const enumSymbols = (type: AvroType): readonly string[] =>
  (type as unknown as { symbols: readonly string[] }).symbols;

export const enumDefault = (type: AvroType): string | undefined =>
  (type as unknown as { default?: string }).default;

export const fixedSize = (type: AvroType): number => (type as unknown as { size: number }).size;

/** The name after the last dot: the spec compares named types by unqualified name. */
export const unqualified = (fullName: string | undefined): string | undefined =>
  fullName === undefined ? undefined : fullName.slice(fullName.lastIndexOf('.') + 1);
