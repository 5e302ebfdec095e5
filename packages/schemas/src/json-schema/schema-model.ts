/**
 * A JSON Schema read into the shapes its compatibility rules talk about: string, number, object,
 * array, enum, const, combined (allOf/anyOf/oneOf), not, and the empty/true/false schemas.
 *
 * Confluent decides JSON Schema compatibility on such a model (from its Java validator library);
 * no JavaScript library offers one, so this file builds it by hand, with the same readings of the
 * keywords so that Eddy and Confluent agree on which changes break readers:
 * - `type: [a, b]` is a sum (anyOf) of one schema per type, each with the other keywords;
 * - a schema with keywords of several shapes (`type` with `enum`, `properties` with `oneOf`) is an
 *   implicit allOf of one schema per shape;
 * - without `type`, object/array/number/string keywords still make a schema of that shape.
 */

export interface Meta {
  readonly id?: string | undefined;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  /** The `default`, as canonical JSON, when the schema has one. */
  readonly default?: string | undefined;
}

export type JsonNode =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'empty'; readonly meta: Meta; readonly raw: object }
  | StringNode
  | NumberNode
  | { readonly kind: 'boolean' | 'null'; readonly meta: Meta; readonly raw: object }
  | ObjectNode
  | ArrayNode
  | { readonly kind: 'enum'; readonly meta: Meta; readonly raw: object; readonly values: readonly string[] }
  | { readonly kind: 'const'; readonly meta: Meta; readonly raw: object; readonly value: string }
  | CombinedNode
  | { readonly kind: 'not'; readonly meta: Meta; readonly raw: object; readonly schema: JsonNode }
  | RefNode;

export interface StringNode {
  readonly kind: 'string';
  readonly meta: Meta;
  readonly raw: object;
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  readonly pattern?: string | undefined;
}

export interface NumberNode {
  readonly kind: 'number';
  readonly meta: Meta;
  readonly raw: object;
  readonly integer: boolean;
  readonly minimum?: number | undefined;
  readonly maximum?: number | undefined;
  readonly exclusiveMinimum?: number | undefined;
  readonly exclusiveMaximum?: number | undefined;
  readonly multipleOf?: number | undefined;
}

export interface ObjectNode {
  readonly kind: 'object';
  readonly meta: Meta;
  readonly raw: object;
  readonly properties: ReadonlyMap<string, JsonNode>;
  readonly required: ReadonlySet<string>;
  readonly patternProperties: readonly { readonly pattern: string; readonly schema: JsonNode }[];
  /** `false` closes the model; a schema makes it partially open; `true` (or absent) leaves it open. */
  readonly additionalProperties: boolean | JsonNode;
  readonly unevaluatedProperties?: JsonNode | undefined;
  readonly dependentRequired: ReadonlyMap<string, readonly string[]>;
  readonly dependentSchemas: ReadonlyMap<string, JsonNode>;
  readonly minProperties?: number | undefined;
  readonly maxProperties?: number | undefined;
}

export interface ArrayNode {
  readonly kind: 'array';
  readonly meta: Meta;
  readonly raw: object;
  /** `items` as one schema for every item. */
  readonly items?: JsonNode | undefined;
  /** `items` as an array (draft-07) or `prefixItems` (2020-12): one schema per position. */
  readonly tuple: readonly JsonNode[];
  readonly additionalItems: boolean | JsonNode;
  readonly unevaluatedItems?: JsonNode | undefined;
  readonly minItems?: number | undefined;
  readonly maxItems?: number | undefined;
  readonly uniqueItems: boolean;
  readonly minContains?: number | undefined;
  readonly maxContains?: number | undefined;
}

export type Criterion = 'allOf' | 'anyOf' | 'oneOf';

export interface CombinedNode {
  readonly kind: 'combined';
  readonly meta: Meta;
  readonly raw: object;
  readonly criterion: Criterion;
  readonly subschemas: readonly JsonNode[];
}

export interface RefNode {
  readonly kind: 'ref';
  readonly ref: string;
  readonly raw: object;
  /** The schema the `$ref` points at (loaded on first call; cycles are fine). */
  target(): JsonNode;
}

/** Finds the raw subschema a `$ref` points at, with the base URI inside it. */
export type RefResolver = (
  ref: string,
  base: string,
) => { readonly raw: unknown; readonly base: string } | undefined;

export const TRUE_NODE: JsonNode = { kind: 'true' };
export const FALSE_NODE: JsonNode = { kind: 'false' };

/** Whether the draft lets `$ref` sit beside other keywords that still apply (2019-09 on). */
export type RefSiblings = 'ignored' | 'applied';

const OBJECT_KEYWORDS = [
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
  'unevaluatedProperties',
];
const ARRAY_KEYWORDS = [
  'items',
  'prefixItems',
  'additionalItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'minContains',
  'maxContains',
  'unevaluatedItems',
];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRING_KEYWORDS = ['minLength', 'maxLength', 'pattern', 'format'];
const TYPE_NAMES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);

type Raw = Record<string, unknown>;

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const isRaw = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const has = (raw: Raw, keys: readonly string[]): boolean => keys.some((key) => key in raw);

/** Deterministic JSON used to compare values (defaults, enum members). */
export function valueKey(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  const entries = Object.entries(value as Raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${valueKey(item)}`).join(',')}}`;
}

/** Reads raw JSON Schema into the model; one loader per document set, caching by raw object. */
export class SchemaModelLoader {
  readonly #cache = new WeakMap<object, JsonNode>();

  constructor(
    readonly refSiblings: RefSiblings,
    readonly resolveRef: RefResolver,
  ) {}

  load(raw: unknown, base: string): JsonNode {
    if (raw === true) return TRUE_NODE;
    if (raw === false) return FALSE_NODE;
    if (!isRaw(raw)) return TRUE_NODE;
    const cached = this.#cache.get(raw);
    if (cached !== undefined) return cached;
    const node = this.#build(raw, base);
    this.#cache.set(raw, node);
    return node;
  }

  #build(raw: Raw, parentBase: string): JsonNode {
    const base = typeof raw.$id === 'string' ? safeResolve(raw.$id, parentBase) : parentBase;
    const meta = readMeta(raw);
    const parts: JsonNode[] = [];
    if (typeof raw.$ref === 'string') {
      const ref = this.#ref(raw.$ref, base, raw);
      const rest = Object.keys(raw).filter((key) => !REF_NEUTRAL_KEYS.has(key));
      if (this.refSiblings === 'ignored' || rest.length === 0) return ref;
      parts.push(ref);
    }
    if (Array.isArray(raw.enum)) {
      parts.push({ kind: 'enum', meta: {}, raw, values: raw.enum.map(valueKey) });
    }
    for (const criterion of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = raw[criterion];
      if (Array.isArray(list)) {
        parts.push({
          kind: 'combined',
          meta: {},
          raw,
          criterion,
          subschemas: list.map((item) => this.load(item, base)),
        });
      }
    }
    if ('not' in raw) parts.push({ kind: 'not', meta: {}, raw, schema: this.load(raw.not, base) });
    if ('const' in raw) parts.push({ kind: 'const', meta: {}, raw, value: valueKey(raw.const) });
    const type = raw.type;
    if (typeof type === 'string' && TYPE_NAMES.has(type)) {
      parts.push(this.#typed(type, raw, base, {}));
    } else if (Array.isArray(type)) {
      const names = type.filter((name): name is string => typeof name === 'string' && TYPE_NAMES.has(name));
      const typed = names.map((name) => this.#typed(name, raw, base, {}));
      if (typed.length === 1) parts.push(typed[0]!);
      else if (typed.length > 1)
        parts.push({ kind: 'combined', meta: {}, raw, criterion: 'anyOf', subschemas: typed });
    } else {
      if (has(raw, OBJECT_KEYWORDS)) parts.push(this.#typed('object', raw, base, {}));
      if (has(raw, ARRAY_KEYWORDS)) parts.push(this.#typed('array', raw, base, {}));
      if (has(raw, NUMBER_KEYWORDS)) parts.push(this.#typed('number', raw, base, {}));
      if (has(raw, STRING_KEYWORDS)) parts.push(this.#typed('string', raw, base, {}));
    }
    if (parts.length === 0) return { kind: 'empty', meta, raw };
    if (parts.length === 1) return withMeta(parts[0]!, meta);
    return { kind: 'combined', meta, raw, criterion: 'allOf', subschemas: parts };
  }

  #ref(ref: string, base: string, raw: Raw): RefNode {
    let target: JsonNode | undefined;
    return {
      kind: 'ref',
      ref,
      raw,
      target: () => {
        if (target !== undefined) return target;
        const found = this.resolveRef(ref, base);
        // Parsing refused unresolvable references already; an empty schema is the safe reading.
        target = found === undefined ? TRUE_NODE : this.load(found.raw, found.base);
        return target;
      },
    };
  }

  #typed(type: string, raw: Raw, base: string, meta: Meta): JsonNode {
    switch (type) {
      case 'string':
        return {
          kind: 'string',
          meta,
          raw,
          minLength: num(raw.minLength),
          maxLength: num(raw.maxLength),
          pattern: typeof raw.pattern === 'string' ? raw.pattern : undefined,
        };
      case 'number':
      case 'integer':
        return {
          kind: 'number',
          meta,
          raw,
          integer: type === 'integer',
          minimum: num(raw.minimum),
          maximum: num(raw.maximum),
          exclusiveMinimum: num(raw.exclusiveMinimum),
          exclusiveMaximum: num(raw.exclusiveMaximum),
          multipleOf: num(raw.multipleOf),
        };
      case 'object':
        return this.#object(raw, base, meta);
      case 'array':
        return this.#array(raw, base, meta);
      default:
        return { kind: type as 'boolean' | 'null', meta, raw };
    }
  }

  #object(raw: Raw, base: string, meta: Meta): ObjectNode {
    const properties = new Map<string, JsonNode>();
    if (isRaw(raw.properties)) {
      for (const [name, schema] of Object.entries(raw.properties))
        properties.set(name, this.load(schema, base));
    }
    const patternProperties = isRaw(raw.patternProperties)
      ? Object.entries(raw.patternProperties).map(([pattern, schema]) => ({
          pattern,
          schema: this.load(schema, base),
        }))
      : [];
    const dependentRequired = new Map<string, readonly string[]>();
    const dependentSchemas = new Map<string, JsonNode>();
    const readDependencies = (value: unknown): void => {
      if (!isRaw(value)) return;
      for (const [name, dependency] of Object.entries(value)) {
        if (Array.isArray(dependency))
          dependentRequired.set(
            name,
            dependency.filter((d) => typeof d === 'string'),
          );
        else dependentSchemas.set(name, this.load(dependency, base));
      }
    };
    readDependencies(raw.dependencies);
    readDependencies(raw.dependentRequired);
    readDependencies(raw.dependentSchemas);
    const additional = raw.additionalProperties;
    return {
      kind: 'object',
      meta,
      raw,
      properties,
      required: new Set(Array.isArray(raw.required) ? raw.required.filter((r) => typeof r === 'string') : []),
      patternProperties,
      additionalProperties:
        additional === undefined || typeof additional === 'boolean'
          ? additional !== false
          : this.load(additional, base),
      unevaluatedProperties:
        'unevaluatedProperties' in raw ? this.load(raw.unevaluatedProperties, base) : undefined,
      dependentRequired,
      dependentSchemas,
      minProperties: num(raw.minProperties),
      maxProperties: num(raw.maxProperties),
    };
  }

  #array(raw: Raw, base: string, meta: Meta): ArrayNode {
    let items: JsonNode | undefined;
    let tuple: JsonNode[] = [];
    let additional: unknown = raw.additionalItems;
    if (Array.isArray(raw.prefixItems)) {
      // 2020-12: prefixItems is the tuple and items applies to the positions after it.
      tuple = raw.prefixItems.map((item) => this.load(item, base));
      additional = raw.items;
    } else if (Array.isArray(raw.items)) {
      tuple = raw.items.map((item) => this.load(item, base));
    } else if (raw.items !== undefined) {
      items = this.load(raw.items, base);
    }
    return {
      kind: 'array',
      meta,
      raw,
      items,
      tuple,
      additionalItems:
        additional === undefined || typeof additional === 'boolean'
          ? additional !== false
          : this.load(additional, base),
      unevaluatedItems: 'unevaluatedItems' in raw ? this.load(raw.unevaluatedItems, base) : undefined,
      minItems: num(raw.minItems),
      maxItems: num(raw.maxItems),
      uniqueItems: raw.uniqueItems === true,
      minContains: num(raw.minContains),
      maxContains: num(raw.maxContains),
    };
  }
}

/** Keywords that may sit beside `$ref` without adding a constraint of their own. */
const REF_NEUTRAL_KEYS = new Set([
  '$ref',
  '$id',
  '$schema',
  '$comment',
  '$defs',
  'definitions',
  '$anchor',
  'title',
  'description',
  'default',
  'examples',
]);

function readMeta(raw: Raw): Meta {
  return {
    id: typeof raw.$id === 'string' ? raw.$id : undefined,
    title: typeof raw.title === 'string' ? raw.title : undefined,
    description: typeof raw.description === 'string' ? raw.description : undefined,
    default: 'default' in raw ? valueKey(raw.default) : undefined,
  };
}

function withMeta(node: JsonNode, meta: Meta): JsonNode {
  if (node.kind === 'true' || node.kind === 'false' || node.kind === 'ref') return node;
  return { ...node, meta };
}

/** Resolves `ref` against `base`, keeping `ref` as it is when it cannot be read as a URL. */
export function safeResolve(ref: string, base: string): string {
  try {
    return new URL(ref, base).href;
  } catch {
    return ref;
  }
}

export function metaOf(node: JsonNode): Meta {
  return 'meta' in node ? node.meta : {};
}

/** Whether a schema has a `default` of its own (after following a `$ref`, by the caller). */
export function hasDefault(node: JsonNode): boolean {
  return metaOf(node).default !== undefined || (node.kind === 'ref' && 'default' in node.raw);
}
