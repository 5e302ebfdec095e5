import type { Glob } from './wildcard.js';

/** A value a pattern can compare with directly: `"running"`, `5`, `true`, `null`. */
export type PatternScalar = string | number | boolean | null;

/** One operator object inside a field's array, e.g. `{ "prefix": "us-" }` or `{ "numeric": [">", 0] }`. */
export interface MatchExpression {
  readonly [operator: string]: unknown;
}

/**
 * An event pattern in Amazon EventBridge's JSON shape: each field holds an array of values and
 * operator objects (any one may match), or a nested pattern; `$or` holds an array of patterns.
 * Checked when compiled; see docs/guides/rules.md for the language.
 */
export interface EventPattern {
  readonly [field: string]: readonly (PatternScalar | MatchExpression)[] | EventPattern;
}

/**
 * One compiled value test. Each kind says which JSON types it can match: string kinds never match
 * numbers and the other way round, exactly as in event-ruler; the `not-*` kinds (anything-but) match
 * every value of another type.
 */
export type ValuePattern =
  | { readonly kind: 'string'; readonly value: string }
  /** A bare string value that is an IP address: matches any spelling of the same address. */
  | { readonly kind: 'ip'; readonly value: string; readonly key: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'literal'; readonly value: boolean | null }
  /** `value` is already case-folded when `ignoreCase`. */
  | { readonly kind: 'prefix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly value: string; readonly glob: Glob }
  | {
      readonly kind: 'range';
      readonly lo: number;
      readonly loOpen: boolean;
      readonly hi: number;
      readonly hiOpen: boolean;
    }
  | { readonly kind: 'cidr'; readonly value: string; readonly range: IpRange }
  | { readonly kind: 'exists' }
  | { readonly kind: 'not-strings'; readonly values: ReadonlySet<string> }
  | { readonly kind: 'not-numbers'; readonly values: ReadonlySet<number> }
  | { readonly kind: 'not-prefix'; readonly values: readonly string[] }
  | { readonly kind: 'not-suffix'; readonly values: readonly string[] }
  /** `values` are case-folded. */
  | { readonly kind: 'not-equals-ignore-case'; readonly values: ReadonlySet<string> }
  | { readonly kind: 'not-wildcard'; readonly values: readonly string[]; readonly globs: readonly Glob[] };

/** An inclusive range of addresses of one family: IPv4 as 32-bit numbers, IPv6 as 32 hex digits. */
export type IpRange =
  | { readonly family: 4; readonly lo: number; readonly hi: number }
  | { readonly family: 6; readonly lo: string; readonly hi: string };

/**
 * The test on one field of one branch: the field matches when one of `patterns` matches one of
 * its leaf values, or, when `absent`, when it has no leaf value at all.
 */
export interface FieldTest {
  /** Field names from the top of the event. */
  readonly path: readonly string[];
  /** `path` joined with dots: event-ruler's name for the field, which fixes its place in the order. */
  readonly dotted: string;
  /** `{ "exists": false }` is among the field's values. */
  readonly absent: boolean;
  readonly patterns: readonly ValuePattern[];
}

/** One alternative of a pattern (a pattern without `$or` has exactly one): all its fields must match. */
export interface Branch {
  /** The fields in evaluation order (see field-order.ts). */
  readonly fields: readonly FieldTest[];
}
