import type avro from 'avsc';
import type { AvroType } from '../avro/avro-types.js';
import { freeName, toIdentifier, type Declarations } from './declarations.js';

/**
 * The TypeScript type of the values avsc hands out and accepts for an Avro type (its default
 * representation: long as number, bytes and fixed as Buffer, unwrapped unions as plain values,
 * wrapped unions as `{ branch: value }`). Named records become interfaces in `declarations`, once
 * per file: a record another schema already declared (a referenced subject's type) is used by name.
 *
 * Hand-written because the maintained Avro-to-TypeScript generators either pin an old TypeScript
 * as a runtime dependency or are unmaintained, and avsc has already parsed and resolved the schema:
 * what is left is a walk over its types.
 */
export function avroToTypeScript(type: AvroType, declarations: Declarations, rootName?: string): string {
  const named = declarations.avroNames;
  // An anonymous record is this schema's own; a named one is shared when its definition is the same.
  const keyOf = (type: AvroType, preferred: string | undefined): string =>
    type.name === undefined
      ? `\u0000${preferred ?? 'Record'}`
      : `${type.name}\u0000${JSON.stringify(type.schema())}`;

  const nameFor = (type: AvroType, preferred: string | undefined): string => {
    const key = keyOf(type, preferred);
    const existing = named.get(key);
    if (existing !== undefined) return existing;
    const name = freeName(
      declarations,
      toIdentifier(preferred ?? (type.name ?? 'Record').split('.').at(-1)!),
    );
    declarations.taken.add(name);
    named.set(key, name);
    return name;
  };

  const walk = (type: AvroType, preferred?: string): string => {
    const typeName = type.typeName;
    if (typeName.startsWith('logical:')) {
      return walk((type as avro.types.LogicalType).underlyingType);
    }
    switch (typeName) {
      case 'null':
        return 'null';
      case 'boolean':
        return 'boolean';
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 'number';
      case 'bytes':
      case 'fixed':
        return 'Buffer';
      case 'string':
        return 'string';
      case 'enum':
        return (type as avro.types.EnumType).symbols.map((symbol) => JSON.stringify(symbol)).join(' | ');
      case 'array':
        return `Array<${walk((type as avro.types.ArrayType).itemsType)}>`;
      case 'map':
        return `Record<string, ${walk((type as avro.types.MapType).valuesType as AvroType)}>`;
      case 'union:unwrapped':
        return (type as avro.types.UnwrappedUnionType).types.map((branch) => walk(branch)).join(' | ');
      case 'union:wrapped':
        return (type as avro.types.WrappedUnionType).types
          .map((branch) =>
            branch.typeName === 'null' ? 'null' : `{ ${JSON.stringify(branch.branchName)}: ${walk(branch)} }`,
          )
          .join(' | ');
      case 'record':
      case 'error': {
        const known = named.get(keyOf(type, preferred));
        if (known !== undefined) return known;
        const name = nameFor(type, preferred);
        const fields = (type as avro.types.RecordType).fields.map((field) => {
          const doc = (field as { doc?: string }).doc;
          const comment = doc === undefined ? '' : `  /** ${doc.replaceAll('*/', '*\\/')} */\n`;
          return `${comment}  ${propertyName(field.name)}: ${walk(field.type)};`;
        });
        const doc = type.doc === undefined ? '' : `/** ${type.doc.replaceAll('*/', '*\\/')} */\n`;
        declarations.code.set(name, `${doc}export interface ${name} {\n${fields.join('\n')}\n}\n`);
        return name;
      }
      default:
        return 'unknown';
    }
  };

  const root = walk(type, rootName);
  if (rootName === undefined || declarations.code.has(rootName)) return root;
  // A root that is not a record still gets a name of its own, so the Events map reads well.
  declarations.taken.add(rootName);
  declarations.code.set(rootName, `export type ${rootName} = ${root};\n`);
  return rootName;
}

function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}
