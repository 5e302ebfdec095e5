import protobuf from 'protobufjs';
import { canonicalJson } from '../canonical-json.js';
import { InvalidSchemaError } from '../errors.js';
import { flattenReferences, type ParsedSchemaBase, type ResolvedReference } from '../parsed-schema.js';
import type { SchemaReference } from '../types.js';

/** A .proto file parsed by protobufjs, with its imports (declared references) resolved. */
export interface ParsedProtobufSchema extends ParsedSchemaBase {
  readonly schemaType: 'PROTOBUF';
  readonly packageName: string;
  /** The file's own top-level messages and enums, in file order, resolved against its imports. */
  readonly types: readonly (protobuf.Type | protobuf.Enum)[];
  /** Every file (this one and its references) in one resolved root, for data validation. */
  readonly root: protobuf.Root;
}

const PARSE_OPTIONS = { keepCase: true, alternateCommentMode: false } as const;

interface ParsedFile {
  readonly package: string;
  readonly imports: readonly string[];
  readonly root: protobuf.Root;
}

function parseFile(text: string, what: string, into?: protobuf.Root): ParsedFile {
  try {
    const result = protobuf.parse(text, into ?? new protobuf.Root(), PARSE_OPTIONS);
    return {
      package: result.package ?? '',
      imports: [...(result.imports ?? []), ...(result.weakImports ?? [])],
      root: result.root,
    };
  } catch (error) {
    throw new InvalidSchemaError(`Invalid Protobuf schema${what}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
}

/** The messages and enums a file declares at its top level (inside its package). */
function topLevelTypes(file: ParsedFile): (protobuf.Type | protobuf.Enum)[] {
  const scope = file.package === '' ? file.root : file.root.lookup(file.package);
  if (!(scope instanceof protobuf.Namespace)) return [];
  return scope.nestedArray.filter(
    (item): item is protobuf.Type | protobuf.Enum =>
      item instanceof protobuf.Type || item instanceof protobuf.Enum,
  );
}

/** The canonical form alone: the parsed file as sorted-key JSON (comments and layout dropped). */
export function canonicalProtobuf(text: string): string {
  const file = parseFile(text, '');
  return canonicalJson({
    package: file.package,
    imports: [...file.imports].sort(),
    syntax: syntaxOf(file),
    types: file.root.toJSON(),
  });
}

function syntaxOf(file: ParsedFile): string {
  const first = topLevelTypes(file)[0] as unknown as { _edition?: string } | undefined;
  return first?._edition ?? 'proto2';
}

/**
 * Parses a .proto file and the files it imports. Each import must be a declared reference (by its
 * import path) or one of the well-known google/protobuf types; every type name must resolve.
 */
export function parseProtobuf(
  text: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
): ParsedProtobufSchema {
  const own = parseFile(text, '');
  const ordered = flattenReferences(resolved);
  const declared = new Set(ordered.map((reference) => reference.name));
  const root = new protobuf.Root();
  const wellKnown = new Set<string>();
  const requireImports = (imports: readonly string[], where: string): void => {
    for (const path of imports) {
      if (declared.has(path)) continue;
      const common = protobuf.common.get(path);
      if (common === null || common === undefined) {
        throw new InvalidSchemaError(
          `Protobuf import "${path}"${where} is not a declared reference. Register that file under a subject and add { name: "${path}", subject, version } to references.`,
        );
      }
      if (!wellKnown.has(path)) {
        wellKnown.add(path);
        root.addJSON(common.nested ?? {});
      }
    }
  };
  for (const reference of ordered) {
    if (reference.schemaType !== 'PROTOBUF') {
      throw new InvalidSchemaError(
        `Reference "${reference.name}" (${reference.subject} version ${reference.version}) is ${reference.schemaType}; a Protobuf schema can only import Protobuf files.`,
      );
    }
    const file = parseFile(reference.schema, ` in reference "${reference.name}"`, root);
    requireImports(file.imports, ` in reference "${reference.name}"`);
  }
  requireImports(own.imports, '');
  parseFile(text, '', root);
  try {
    root.resolveAll();
  } catch (error) {
    throw new InvalidSchemaError(`Invalid Protobuf schema: ${(error as Error).message}.`, { cause: error });
  }
  const types = topLevelTypes(own).map((type) => {
    const found = root.lookup(type.fullName);
    return found instanceof protobuf.Type || found instanceof protobuf.Enum ? found : type;
  });
  if (!types.some((type) => type instanceof protobuf.Type)) {
    throw new InvalidSchemaError('Invalid Protobuf schema: the file declares no message.');
  }
  return {
    schemaType: 'PROTOBUF',
    schema: text,
    references,
    canonical: canonicalJson({
      package: own.package,
      imports: [...own.imports].sort(),
      syntax: syntaxOf(own),
      types: own.root.toJSON(),
    }),
    packageName: own.package,
    types,
    root,
  };
}
