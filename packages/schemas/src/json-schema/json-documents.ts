import { InvalidSchemaError, RemoteSchemaRefError } from '../errors.js';
import { safeResolve } from './schema-model.js';

/** Base URI of a root schema without `$id`: a made-up scheme, so nothing relative to it is fetchable. */
export const DEFAULT_BASE = 'eddy://schemas/root.json';

/** A raw subschema and the base URI its relative `$ref`s resolve against. */
export interface Located {
  readonly raw: unknown;
  readonly base: string;
}

/** Keywords whose values are data, not schemas: `$id`/`$ref` inside them mean nothing. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
const REF_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef'];

type Raw = Record<string, unknown>;
const isRaw = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stripFragment = (uri: string): string => {
  const hash = uri.indexOf('#');
  return hash === -1 ? uri : uri.slice(0, hash);
};

/**
 * The schema and the documents its declared references provide, indexed by every URI a `$ref` may
 * use (document names, `$id`s, anchors). The registry never fetches: a `$ref` that none of these
 * answers is refused when the schema is parsed.
 */
export class JsonDocuments {
  readonly rootBase: string;
  readonly #byUri = new Map<string, Located>();
  readonly #references: Located[] = [];

  constructor(
    readonly root: unknown,
    references: readonly { readonly name: string; readonly json: unknown }[],
  ) {
    this.rootBase =
      isRaw(root) && typeof root.$id === 'string' ? safeResolve(root.$id, DEFAULT_BASE) : DEFAULT_BASE;
    this.#index(root, this.rootBase);
    for (const reference of references) {
      // A reference's name is what the referring schema writes in `$ref`; accept it as written and
      // resolved against either base, whichever the referring schema uses.
      for (const uri of new Set([
        reference.name,
        safeResolve(reference.name, DEFAULT_BASE),
        safeResolve(reference.name, this.rootBase),
      ])) {
        const base =
          isRaw(reference.json) && typeof reference.json.$id === 'string'
            ? safeResolve(reference.json.$id, uri)
            : uri;
        this.#byUri.set(stripFragment(uri), { raw: reference.json, base });
      }
      const base =
        isRaw(reference.json) && typeof reference.json.$id === 'string'
          ? safeResolve(reference.json.$id, DEFAULT_BASE)
          : safeResolve(reference.name, DEFAULT_BASE);
      this.#index(reference.json, base);
      this.#references.push({ raw: reference.json, base });
    }
  }

  /** Finds the subschema a `$ref` written at `base` points at, or undefined when none answers. */
  resolve(ref: string, base: string): Located | undefined {
    const uri = safeResolve(ref, base);
    const hash = uri.indexOf('#');
    const document = hash === -1 ? uri : uri.slice(0, hash);
    const fragment = hash === -1 ? '' : decodeURIComponent(uri.slice(hash + 1));
    const anchored = this.#byUri.get(uri);
    if (fragment !== '' && !fragment.startsWith('/') && anchored !== undefined) return anchored;
    const found = this.#byUri.get(document);
    if (found === undefined) return undefined;
    if (fragment === '' || fragment === '/') return found;
    if (!fragment.startsWith('/')) return undefined;
    let current: unknown = found.raw;
    let currentBase = found.base;
    for (const token of fragment.slice(1).split('/')) {
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      if (Array.isArray(current)) current = current[Number(key)];
      else if (isRaw(current)) current = current[key];
      else return undefined;
      if (current === undefined) return undefined;
      if (isRaw(current) && typeof current.$id === 'string')
        currentBase = safeResolve(current.$id, currentBase);
    }
    return { raw: current, base: currentBase };
  }

  /**
   * Refuses any `$ref` in the root schema or its references that no document here answers: the
   * registry would otherwise have to fetch it, and it never does.
   */
  assertResolvable(): void {
    const check = (raw: unknown, base: string): void => {
      if (Array.isArray(raw)) {
        raw.forEach((item) => check(item, base));
        return;
      }
      if (!isRaw(raw)) return;
      const here = typeof raw.$id === 'string' ? safeResolve(raw.$id, base) : base;
      for (const keyword of REF_KEYWORDS) {
        const ref = raw[keyword];
        if (typeof ref !== 'string' || this.resolve(ref, here) !== undefined) continue;
        // A known document with a pointer that leads nowhere is a mistake in the schema, not a fetch.
        if (this.#byUri.has(stripFragment(safeResolve(ref, here)))) {
          throw new InvalidSchemaError(
            `Invalid JSON Schema: $ref "${ref}" points at nothing in its document.`,
          );
        }
        throw new RemoteSchemaRefError(ref);
      }
      for (const [key, value] of Object.entries(raw)) {
        if (!DATA_KEYWORDS.has(key)) check(value, here);
      }
    };
    check(this.root, this.rootBase);
    for (const reference of this.#references) check(reference.raw, reference.base);
  }

  #index(raw: unknown, base: string): void {
    if (Array.isArray(raw)) {
      raw.forEach((item) => this.#index(item, base));
      return;
    }
    if (!isRaw(raw)) return;
    let here = base;
    if (typeof raw.$id === 'string') {
      here = safeResolve(raw.$id, base);
      // draft-07 writes anchors as `$id: "#name"`; both forms land in the same map.
      this.#byUri.set(raw.$id.startsWith('#') ? here : stripFragment(here), {
        raw,
        base: stripFragment(here),
      });
      here = stripFragment(here);
    } else if (!this.#byUri.has(base)) {
      this.#byUri.set(base, { raw, base });
    }
    if (typeof raw.$anchor === 'string') this.#byUri.set(`${here}#${raw.$anchor}`, { raw, base: here });
    if (typeof raw.$dynamicAnchor === 'string')
      this.#byUri.set(`${here}#${raw.$dynamicAnchor}`, { raw, base: here });
    for (const [key, value] of Object.entries(raw)) {
      if (!DATA_KEYWORDS.has(key)) this.#index(value, here);
    }
  }
}
