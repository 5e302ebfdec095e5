import type { Incompatibility } from '../parsed-schema.js';
import {
  arrayItems,
  avroKind,
  enumDefault,
  enumSymbols,
  fixedSize,
  mapValues,
  recordFields,
  unionBranches,
  unqualified,
  type AvroType,
} from './avro-types.js';

/** Writer kinds each reader kind accepts through the specification's promotions. */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  string: ['bytes'],
  bytes: ['string'],
};

const NAMED = new Set(['record', 'enum', 'fixed']);

const MESSAGES: Readonly<Record<string, string>> = {
  NAME_MISMATCH: 'the named type has another name and the reader has no alias for the writer name',
  FIXED_SIZE_MISMATCH: 'the fixed types have different sizes',
  TYPE_MISMATCH: 'the reader type cannot read the writer type',
};

/**
 * Lists every reason `reader` cannot read data written with `writer`, following the Avro
 * specification's schema resolution (the rules Confluent's Avro check applies). avsc's resolver
 * answers yes or no and stops at the first problem; the registry must say every path that breaks,
 * so this walks both types side by side. The caller still asks avsc's resolver, which has the last
 * word on whether decoding works.
 */
export function avroIncompatibilities(reader: AvroType, writer: AvroType): Incompatibility[] {
  const found: Incompatibility[] = [];
  // Recursive named types: a pair already being compared is assumed to resolve; any problem in it
  // is reported where the walk first met it.
  const inProgress = new Set<string>();
  const add = (kind: string, path: string, message: string): void => {
    found.push({ kind, path: path === '' ? '/' : path, message });
  };

  const walk = (r: AvroType, w: AvroType, path: string): void => {
    const rk = avroKind(r);
    const wk = avroKind(w);
    if (wk === 'union') {
      // Every branch the writer may have written must be readable.
      unionBranches(w).forEach((branch, index) => {
        if (rk === 'union') {
          if (!unionBranches(r).some((candidate) => readable(candidate, branch))) {
            add(
              'MISSING_UNION_BRANCH',
              `${path}/${index}`,
              `the reader union has no branch that can read the writer's ${describe(branch)} (writer union branch ${index})`,
            );
          }
        } else {
          walk(r, branch, `${path}/${index}`);
        }
      });
      return;
    }
    if (rk === 'union') {
      const match = unionBranches(r).find((candidate) => readable(candidate, w));
      if (match === undefined) {
        add(
          'MISSING_UNION_BRANCH',
          path,
          `the reader union has no branch that can read the writer's ${describe(w)}`,
        );
      } else {
        walk(match, w, path);
      }
      return;
    }
    if (rk !== wk) {
      if (!(PROMOTIONS[rk] ?? []).includes(wk)) {
        add('TYPE_MISMATCH', path, `${MESSAGES.TYPE_MISMATCH}: reader ${describe(r)}, writer ${describe(w)}`);
      }
      return;
    }
    if (NAMED.has(rk) && !namesMatch(r, w)) {
      add(
        'NAME_MISMATCH',
        `${path}/name`,
        `${MESSAGES.NAME_MISMATCH}: reader "${r.name}", writer "${w.name}"`,
      );
      return;
    }
    switch (rk) {
      case 'record':
        return walkRecord(r, w, path);
      case 'enum': {
        const readerSymbols = new Set(enumSymbols(r));
        const missing = enumSymbols(w).filter((symbol) => !readerSymbols.has(symbol));
        const fallback = enumDefault(r);
        if (missing.length > 0 && fallback === undefined) {
          add(
            'MISSING_ENUM_SYMBOLS',
            `${path}/symbols`,
            `the reader enum lacks writer symbol(s) ${missing.join(', ')} and has no default to read them as`,
          );
        }
        return;
      }
      case 'fixed':
        if (fixedSize(r) !== fixedSize(w)) {
          add(
            'FIXED_SIZE_MISMATCH',
            `${path}/size`,
            `${MESSAGES.FIXED_SIZE_MISMATCH}: reader ${fixedSize(r)} bytes, writer ${fixedSize(w)} bytes`,
          );
        }
        return;
      case 'array':
        return walk(arrayItems(r), arrayItems(w), `${path}/items`);
      case 'map':
        return walk(mapValues(r), mapValues(w), `${path}/values`);
      default:
        return;
    }
  };

  const walkRecord = (r: AvroType, w: AvroType, path: string): void => {
    const key = `${r.name ?? ''}\u0000${w.name ?? ''}`;
    if (inProgress.has(key)) return;
    inProgress.add(key);
    const writerFields = new Map(recordFields(w).map((field) => [field.name, field]));
    recordFields(r).forEach((field, index) => {
      const writerField =
        writerFields.get(field.name) ??
        field.aliases.map((alias) => writerFields.get(alias)).find((match) => match !== undefined);
      if (writerField === undefined) {
        if (field.defaultValue() === undefined) {
          add(
            'READER_FIELD_MISSING_DEFAULT_VALUE',
            `${path}/fields/${index}`,
            `reader field "${field.name}" is missing from the writer and has no default value to fill it with`,
          );
        }
        return;
      }
      walk(field.type, writerField.type, `${path}/fields/${index}/type`);
    });
    inProgress.delete(key);
  };

  /** Whether a reader branch can take a writer type, checked with a throwaway walk. */
  const readable = (r: AvroType, w: AvroType): boolean => {
    const before = found.length;
    walk(r, w, '');
    const ok = found.length === before;
    found.length = before;
    return ok;
  };

  walk(reader, writer, '');
  return found;
}

/**
 * Named types match by unqualified name, as the specification says, or when the reader lists the
 * writer's name among its aliases (full or unqualified).
 */
function namesMatch(reader: AvroType, writer: AvroType): boolean {
  const writerName = writer.name;
  if (unqualified(reader.name) === unqualified(writerName)) return true;
  return (reader.aliases ?? []).some(
    (alias) => alias === writerName || unqualified(alias) === unqualified(writerName),
  );
}

function describe(type: AvroType): string {
  const kind = avroKind(type);
  return NAMED.has(kind) ? `${kind} "${type.name}"` : kind;
}
