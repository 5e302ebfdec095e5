import type { JSONSchema } from 'json-schema-to-typescript';
import { InvalidSchemaError } from '../errors.js';
import { DEFAULT_BASE } from '../json-schema/json-documents.js';
import { safeResolve } from '../json-schema/schema-model.js';
import type { ResolvedReference } from '../parsed-schema.js';
import { freeName, toIdentifier, type Declarations } from './declarations.js';

/**
 * JSON Schema to TypeScript through json-schema-to-typescript, with the registry's references
 * between subjects: a `$ref` to a referenced subject becomes the name of that subject's type,
 * generated once per subject version for the whole file (json-schema-to-typescript alone would
 * inline a copy into every schema that refers to it, or fail to fetch it).
 */
export class JsonSchemaTypes {
  readonly #declarations: Declarations;
  /** TypeScript name by referenced subject version (and JSON pointer, for a `$ref` into one). */
  readonly #named = new Map<string, string>();
  /** Every name a referenced document's compile declared, by subject version. */
  readonly #documents = new Map<string, readonly string[]>();

  constructor(declarations: Declarations) {
    this.#declarations = declarations;
  }

  /**
   * Declares the type of `text` under `rootName` (or the name json-schema-to-typescript picks) and
   * returns it. With the subject version it comes from, a schema other schemas reference is
   * declared once, whichever is written first.
   */
  async declare(
    text: string,
    rootName: string,
    references: readonly ResolvedReference[],
    from: { readonly subject?: string | undefined; readonly version?: number | undefined } = {},
  ): Promise<string> {
    const key =
      from.subject === undefined || from.version === undefined
        ? undefined
        : `${from.subject}\u0000${from.version}\u0000`;
    const known = key === undefined ? undefined : this.#named.get(key);
    if (known !== undefined) {
      this.#declarations.taken.add(rootName);
      this.#declarations.code.set(rootName, `export type ${rootName} = ${known};\n`);
      return rootName;
    }
    const json = parse(text);
    // A subject version others may reference declares all its definitions, as a referenced one does.
    const names = await this.#compile(
      await this.#rewrite(json, baseOf(json), references),
      rootName,
      key !== undefined,
    );
    const root = names[0]!;
    if (key !== undefined) {
      this.#named.set(key, root);
      this.#documents.set(`${from.subject}\u0000${from.version}`, names);
    }
    return root;
  }

  async #compile(json: JSONSchema, rootName: string, every = false): Promise<string[]> {
    // Loaded on first use: the converter brings prettier along, which nothing else here needs.
    const { compile } = await import('json-schema-to-typescript');
    let code: string;
    try {
      code = await compile({ ...json, title: rootName }, rootName, {
        bannerComment: '',
        format: true,
        // The registry holds every schema: a $ref outside the document is not fetched from anywhere.
        $refOptions: { resolve: { http: false, file: false } },
        // A referenced document declares all its definitions: a `$ref` into one then uses its name.
        unreachableDefinitions: every,
      });
    } catch (error) {
      throw new InvalidSchemaError(
        `${(error as Error).message} (only $refs inside the schema or to a referenced subject are followed)`,
      );
    }
    const names = [...code.matchAll(/^export (?:interface|type|enum|const enum) ([A-Za-z0-9_$]+)/gm)].map(
      (match) => match[1]!,
    );
    for (const name of names) this.#declarations.taken.add(name);
    // json-schema-to-typescript writes the root first, under its own spelling of the title.
    const root = names[0] ?? rootName;
    this.#declarations.code.set(root, `${code.trim()}\n`);
    return names.length > 0 ? names : [root];
  }

  /** A copy of `node` with every `$ref` into a referenced subject replaced by that subject's type name. */
  async #rewrite(node: unknown, base: string, references: readonly ResolvedReference[]): Promise<JSONSchema> {
    const visit = async (value: unknown): Promise<unknown> => {
      if (Array.isArray(value)) return Promise.all(value.map(visit));
      if (typeof value !== 'object' || value === null) return value;
      const object = value as Record<string, unknown>;
      const ref = object['$ref'];
      if (typeof ref === 'string' && references.length > 0) {
        const target = this.#referenced(ref, base, references);
        if (target !== undefined) {
          const name = await this.#nameOf(target.reference, target.pointer);
          const description = object['description'];
          return typeof description === 'string' ? { tsType: name, description } : { tsType: name };
        }
      }
      const copy: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(object)) {
        // Literal values, not schemas: a `$ref` key inside them is data.
        copy[key] =
          key === 'const' || key === 'enum' || key === 'default' || key === 'examples'
            ? child
            : await visit(child);
      }
      return copy;
    };
    return (await visit(node)) as JSONSchema;
  }

  /** The reference a `$ref` points into, by its reference name or the referenced schema's `$id`. */
  #referenced(
    ref: string,
    base: string,
    references: readonly ResolvedReference[],
  ): { reference: ResolvedReference; pointer: string } | undefined {
    const hash = ref.indexOf('#');
    const document = hash === -1 ? ref : ref.slice(0, hash);
    const pointer = hash === -1 ? '' : ref.slice(hash + 1);
    if (document === '') return undefined;
    const wanted = safeResolve(document, base);
    const reference = references.find((candidate) => {
      const id = idOf(parse(candidate.schema));
      return (
        candidate.name === document ||
        safeResolve(candidate.name, base) === wanted ||
        (id !== undefined && safeResolve(id, DEFAULT_BASE) === wanted)
      );
    });
    return reference === undefined ? undefined : { reference, pointer };
  }

  /** The type name of a referenced subject version (or of a definition inside it), declared on first use. */
  async #nameOf(reference: ResolvedReference, pointer: string): Promise<string> {
    const key = `${reference.subject}\u0000${reference.version}\u0000${pointer}`;
    const known = this.#named.get(key);
    if (known !== undefined) return known;
    if (reference.schemaType !== 'JSON') {
      throw new InvalidSchemaError(
        `reference "${reference.name}" (${reference.subject} version ${reference.version}) is ${reference.schemaType}, not a JSON Schema`,
      );
    }
    const document = parse(reference.schema) as Record<string, unknown>;
    const target = pointer === '' || pointer === '/' ? document : resolvePointer(document, pointer);
    if (typeof target !== 'object' || target === null) {
      throw new InvalidSchemaError(
        `"${reference.name}#${pointer}" points at nothing in ${reference.subject} version ${reference.version}`,
      );
    }
    const title = (target as { title?: unknown }).title;
    const definition = /^\/(?:definitions|\$defs)\/([^/]+)$/.exec(pointer)?.[1];
    if (definition !== undefined) {
      // Declared with the whole document, under the name json-schema-to-typescript gave it there.
      await this.#nameOf(reference, '');
      const declared = this.#documents.get(`${reference.subject}\u0000${reference.version}`);
      const expected = toIdentifier(typeof title === 'string' ? title : decodeURIComponent(definition));
      if (declared?.includes(expected) === true) {
        this.#named.set(key, expected);
        return expected;
      }
    }
    const preferred =
      typeof title === 'string'
        ? title
        : pointer === ''
          ? reference.subject
          : decodeURIComponent(pointer.split('/').at(-1) ?? reference.subject);
    const name = freeName(this.#declarations, toIdentifier(preferred));
    // Taken before compiling: a reference cycle then reads the name instead of recursing.
    this.#declarations.taken.add(name);
    this.#named.set(key, name);
    // A definition inside the document keeps the document's definitions beside it, for its local $refs.
    const schema =
      target === document
        ? document
        : { ...target, definitions: document['definitions'], $defs: document['$defs'] };
    const rewritten = await this.#rewrite(schema, baseOf(document, reference.name), reference.references);
    const names = await this.#compile(rewritten, name, target === document);
    if (target === document) this.#documents.set(`${reference.subject}\u0000${reference.version}`, names);
    const declared = names[0]!;
    if (declared !== name) this.#named.set(key, declared);
    return declared;
  }
}

function parse(text: string): JSONSchema {
  try {
    return JSON.parse(text) as JSONSchema;
  } catch (error) {
    throw new InvalidSchemaError(`the schema is not JSON (${(error as Error).message})`);
  }
}

function idOf(json: unknown): string | undefined {
  const id = typeof json === 'object' && json !== null ? (json as { $id?: unknown }).$id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The base a document's relative `$ref`s resolve against: its `$id`, else its reference name. */
function baseOf(json: unknown, name?: string): string {
  const id = idOf(json);
  if (id !== undefined) return safeResolve(id, DEFAULT_BASE);
  return name === undefined ? DEFAULT_BASE : safeResolve(name, DEFAULT_BASE);
}

function resolvePointer(document: unknown, pointer: string): unknown {
  let node = document;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
