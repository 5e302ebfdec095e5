import { COMPATIBLE_CHANGES } from './change-kinds.js';
import type { JsonNode } from './schema-model.js';

/** One change found between an old and a new schema, at a path of the old one. */
export interface Difference {
  readonly kind: string;
  readonly path: readonly string[];
}

/** Compares two nodes (either may be absent) and records what changed into a context. */
export type CompareFn = (
  ctx: DiffContext,
  original: JsonNode | undefined,
  update: JsonNode | undefined,
) => void;

/** State shared by every context of one comparison: the walk's memo and cycle guard. */
export interface DiffShared {
  readonly compare: CompareFn;
  /** Resolves `$ref` nodes (repeatedly) to the schema they point at. */
  readonly deref: (node: JsonNode) => JsonNode;
  readonly inProgress: Set<string>;
  readonly memo: Map<string, readonly Difference[]>;
  /** Counts cycles cut short; a pair whose walk cut none can be memoized safely. */
  truncations: number;
}

/**
 * Where the walk is (a path of keywords) and what it found there. Subcontexts let a caller try a
 * comparison (one branch of a union, say) and keep its findings only when they are compatible.
 */
export class DiffContext {
  readonly differences: Difference[] = [];

  constructor(
    readonly shared: DiffShared,
    readonly path: string[] = [],
  ) {}

  sub(): DiffContext {
    return new DiffContext(this.shared, [...this.path]);
  }

  compare(original: JsonNode | undefined, update: JsonNode | undefined): void {
    this.shared.compare(this, original, update);
  }

  in(segment: string, work: () => void): void {
    this.path.push(...segment.split('/'));
    try {
      work();
    } finally {
      this.path.length -= segment.split('/').length;
    }
  }

  add(kind: string, attribute?: string): void {
    this.differences.push({
      kind,
      path: attribute === undefined ? [...this.path] : [...this.path, attribute],
    });
  }

  addAll(differences: readonly Difference[]): void {
    this.differences.push(...differences);
  }

  /** Adds findings computed at the root of a pair, moved under the current path. */
  addRebased(differences: readonly Difference[]): void {
    for (const difference of differences) {
      this.differences.push({ kind: difference.kind, path: [...this.path, ...difference.path] });
    }
  }

  isCompatible(): boolean {
    return this.differences.every((difference) => COMPATIBLE_CHANGES.has(difference.kind));
  }
}

export const renderPath = (path: readonly string[]): string => `#/${path.join('/')}`;
