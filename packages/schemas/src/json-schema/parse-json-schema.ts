import { createRequire } from 'node:module';
import { Ajv, type AnySchema, type AnySchemaObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { canonicalJson } from '../canonical-json.js';
import { InvalidSchemaError, RemoteSchemaRefError } from '../errors.js';
import { flattenReferences, type ParsedSchemaBase, type ResolvedReference } from '../parsed-schema.js';
import type { SchemaReference } from '../types.js';
import { dateFormats } from './date-formats.js';
import { DEFAULT_BASE, JsonDocuments } from './json-documents.js';
import { safeResolve, type RefSiblings } from './schema-model.js';

const idOf = (json: unknown): string | undefined =>
  typeof json === 'object' && json !== null && typeof (json as { $id?: unknown }).$id === 'string'
    ? (json as { $id: string }).$id
    : undefined;

/** The JSON Schema drafts the registry reads, picked from `$schema` (draft-07 when absent, as Confluent). */
export type JsonSchemaDraft = 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

/** A JSON Schema checked against its draft's meta-schema, with every `$ref` resolvable locally. */
export interface ParsedJsonSchema extends ParsedSchemaBase {
  readonly schemaType: 'JSON';
  readonly json: unknown;
  readonly draft: JsonSchemaDraft;
  readonly documents: JsonDocuments;
  readonly refSiblings: RefSiblings;
  /** Compiles an ajv validator with every error reported; called once per schema by the validator cache. */
  compile(): ValidateFunction;
}

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module.
const addFormats = (addFormatsPlugin as unknown as { default: (ajv: Ajv) => Ajv }).default;

const DRAFTS: Readonly<Record<string, JsonSchemaDraft>> = {
  'http://json-schema.org/draft-06/schema': 'draft-06',
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
};

function draftOf(json: unknown): JsonSchemaDraft {
  const declared =
    typeof json === 'object' && json !== null ? (json as { $schema?: unknown }).$schema : undefined;
  if (declared === undefined) return 'draft-07';
  const key =
    typeof declared === 'string'
      ? declared
          .replace(/#$/, '')
          .replace(/^https:\/\/json-schema\.org\/draft-0/, 'http://json-schema.org/draft-0')
      : '';
  const draft = DRAFTS[key];
  if (draft === undefined) {
    throw new InvalidSchemaError(
      `Unsupported JSON Schema $schema ${JSON.stringify(declared)}. Use draft-06, draft-07, 2019-09 or 2020-12 (draft-07 when $schema is omitted).`,
    );
  }
  return draft;
}

function createAjv(draft: JsonSchemaDraft): Ajv {
  // Unknown keywords are allowed: Confluent users annotate schemas (javaType, connect.*) freely.
  const options: Options = { allErrors: true, strict: false, validateFormats: true };
  let ajv: Ajv;
  if (draft === '2019-09') ajv = new Ajv2019(options);
  else if (draft === '2020-12') ajv = new Ajv2020(options);
  else {
    ajv = new Ajv(options);
    if (draft === 'draft-06')
      ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as AnySchemaObject);
  }
  addFormats(ajv);
  for (const [name, format] of Object.entries(dateFormats)) ajv.addFormat(name, format);
  return ajv;
}

const readJson = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidSchemaError(`Invalid JSON Schema${what}: not JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
};

/** The canonical form alone (cheap): sorted-key JSON. */
export function canonicalJsonSchema(text: string): string {
  return canonicalJson(readJson(text, ''));
}

/**
 * Parses and checks a JSON Schema: its draft's meta-schema (through ajv), and every `$ref` resolved
 * inside the document or through a declared reference, never over the network.
 */
export function parseJsonSchema(
  text: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
): ParsedJsonSchema {
  const json = readJson(text, '');
  if (typeof json !== 'boolean' && (typeof json !== 'object' || json === null || Array.isArray(json))) {
    throw new InvalidSchemaError('Invalid JSON Schema: the document must be an object or a boolean.');
  }
  const draft = draftOf(json);
  const referenced = flattenReferences(resolved).map((reference) => {
    if (reference.schemaType !== 'JSON') {
      throw new InvalidSchemaError(
        `Reference "${reference.name}" (${reference.subject} version ${reference.version}) is ${reference.schemaType}; a JSON Schema can only reference JSON Schemas.`,
      );
    }
    return { name: reference.name, json: readJson(reference.schema, ` in reference "${reference.name}"`) };
  });
  const documents = new JsonDocuments(json, referenced);
  documents.assertResolvable();
  const compile = (): ValidateFunction => {
    const ajv = createAjv(draft);
    for (const reference of referenced) {
      const id = idOf(reference.json);
      ajv.addSchema(reference.json as AnySchema, id === undefined ? reference.name : undefined);
      // The referring schema may name the document by its reference name, not its $id; an alias
      // under each spelling it may resolve to lets ajv follow either.
      if (id === undefined) continue;
      const target = safeResolve(id, DEFAULT_BASE);
      const spellings = new Set([reference.name, safeResolve(reference.name, documents.rootBase)]);
      for (const key of spellings) {
        if (key !== id && key !== target) ajv.addSchema({ $ref: id }, key);
      }
    }
    return ajv.compile(json as AnySchema);
  };
  try {
    compile();
  } catch (error) {
    if (error instanceof RemoteSchemaRefError) throw error;
    throw new InvalidSchemaError(`Invalid JSON Schema: ${(error as Error).message}.`, { cause: error });
  }
  return {
    schemaType: 'JSON',
    schema: text,
    references,
    canonical: canonicalJson(json),
    json,
    draft,
    documents,
    refSiblings: draft === '2019-09' || draft === '2020-12' ? 'applied' : 'ignored',
    compile,
  };
}
