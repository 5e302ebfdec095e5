import { foldCase } from './case-fold.js';
import { CharTrie } from './char-trie.js';
import type { Leaf } from './event-leaves.js';
import type { ValuePattern } from './pattern-types.js';
import type { TargetSink } from './target-sink.js';
import { matchesGlob, type Glob } from './wildcard.js';

/** The anything-but kinds of `ValuePattern`. */
export type AnythingBut = Extract<ValuePattern, { kind: `not-${string}` }>;

interface Entry<T> {
  readonly target: T;
  /** The look-up in which a value last excluded this entry. */
  excludedBy: number;
}

/**
 * The anything-but tests of one field, in the way event-ruler keeps them: each is taken to match
 * unless the value is one it excludes. A value's exclusions are found through the same indexes as
 * positive tests (hash maps, tries), the entries they hit are stamped, and every entry left
 * unstamped matches. A value of another type than an entry excludes stamps nothing, so it matches.
 */
export class AnythingButIndex<T> {
  readonly #entries: Entry<T>[] = [];
  #strings: Map<string, Entry<T>[]> | null = null;
  #numbers: Map<number, Entry<T>[]> | null = null;
  #folded: Map<string, Entry<T>[]> | null = null;
  #prefixes: CharTrie<Entry<T>> | null = null;
  #suffixes: CharTrie<Entry<T>> | null = null;
  #wildcards: { readonly globs: readonly Glob[]; readonly entry: Entry<T> }[] | null = null;
  #lookups = 0;
  /** Stamps the entries the tries find with the current look-up. */
  readonly #stamper: TargetSink<Entry<T>> = {
    receive: (entry) => {
      entry.excludedBy = this.#lookups;
    },
  };

  add(pattern: AnythingBut, target: T): void {
    const entry: Entry<T> = { target, excludedBy: 0 };
    this.#entries.push(entry);
    switch (pattern.kind) {
      case 'not-strings':
        for (const value of pattern.values)
          push((this.#strings ??= new Map<string, Entry<T>[]>()), value, entry);
        break;
      case 'not-numbers':
        for (const value of pattern.values)
          push((this.#numbers ??= new Map<number, Entry<T>[]>()), value, entry);
        break;
      case 'not-equals-ignore-case':
        for (const value of pattern.values)
          push((this.#folded ??= new Map<string, Entry<T>[]>()), value, entry);
        break;
      case 'not-prefix':
        for (const value of pattern.values) (this.#prefixes ??= new CharTrie(false)).add(value, entry);
        break;
      case 'not-suffix':
        for (const value of pattern.values) (this.#suffixes ??= new CharTrie(true)).add(value, entry);
        break;
      case 'not-wildcard':
        (this.#wildcards ??= []).push({ globs: pattern.globs, entry });
        break;
    }
  }

  /** Sends the target of every entry `value` does not exclude to `sink`. */
  collect(value: Leaf, sink: TargetSink<T>): void {
    const lookup = ++this.#lookups;
    if (typeof value === 'string') {
      stamp(this.#strings?.get(value), lookup);
      if (this.#folded !== null) stamp(this.#folded.get(foldCase(value)), lookup);
      if (this.#prefixes !== null) this.#prefixes.collect(value, this.#stamper);
      if (this.#suffixes !== null) this.#suffixes.collect(value, this.#stamper);
      if (this.#wildcards !== null) {
        for (const { globs, entry } of this.#wildcards) {
          if (globs.some((glob) => matchesGlob(glob, value))) entry.excludedBy = lookup;
        }
      }
    } else if (typeof value === 'number') {
      stamp(this.#numbers?.get(value), lookup);
    }
    for (const entry of this.#entries) if (entry.excludedBy !== lookup) sink.receive(entry.target);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function stamp<T>(entries: readonly Entry<T>[] | undefined, lookup: number): void {
  if (entries !== undefined) for (const entry of entries) entry.excludedBy = lookup;
}
