import { AnythingButIndex, type AnythingBut } from './anything-but-index.js';
import { foldCase } from './case-fold.js';
import { CharTrie, type TrieNode } from './char-trie.js';
import type { Leaf } from './event-leaves.js';
import { IntervalIndex } from './interval-index.js';
import { ipKey, parseIp } from './ip-address.js';
import type { ValuePattern } from './pattern-types.js';
import type { TargetSink } from './target-sink.js';
import { matchesGlob, type Glob } from './wildcard.js';

/** One value test of one field, and where a match leads. */
export interface MatcherEntry<T> {
  readonly pattern: ValuePattern;
  readonly target: T;
}

interface WildcardEntry<T> {
  readonly glob: Glob;
  readonly target: T;
}

/**
 * Every value test the rules of one matcher state put on one field, indexed so that one leaf
 * value finds the tests it passes without trying the others: hash maps for exact values (string,
 * number, address, folded case), character tries for prefixes and suffixes, interval trees for
 * numeric ranges and CIDR blocks. Wildcards sit in the prefix trie under the text before their
 * first star, so only those whose head fits are tried. Anything-but tests are an
 * `AnythingButIndex`. Each structure exists only when some test needs it, so a field tested only
 * for exact values pays one map look-up per value.
 */
export class ValueMatcher<T> {
  #strings: Map<string, T[]> | null = null;
  #numbers: Map<number, T[]> | null = null;
  #trues: T[] | null = null;
  #falses: T[] | null = null;
  #nulls: T[] | null = null;
  #addresses: Map<string, T[]> | null = null;
  #cidr4: IntervalIndex<number, T> | null = null;
  #cidr6: IntervalIndex<string, T> | null = null;
  #folded: Map<string, T[]> | null = null;
  #prefixes: CharTrie<T> | null = null;
  #foldedPrefixes: CharTrie<T> | null = null;
  #suffixes: CharTrie<T> | null = null;
  #foldedSuffixes: CharTrie<T> | null = null;
  #wildcards: CharTrie<WildcardEntry<T>> | null = null;
  #ranges: IntervalIndex<number, T> | null = null;
  #exists: T[] | null = null;
  #anythingBut: AnythingButIndex<T> | null = null;
  /** Some test compares addresses, so string values are parsed as IP addresses. */
  #readsAddresses = false;
  /** Some test folds case, so string values are folded once. */
  #folds = false;

  constructor(entries: readonly MatcherEntry<T>[]) {
    for (const { pattern, target } of entries) this.#add(pattern, target);
  }

  #add(pattern: ValuePattern, target: T): void {
    switch (pattern.kind) {
      case 'string':
        push((this.#strings ??= new Map()), pattern.value, target);
        return;
      case 'number':
        push((this.#numbers ??= new Map()), pattern.value, target);
        return;
      case 'literal':
        if (pattern.value === true) (this.#trues ??= []).push(target);
        else if (pattern.value === false) (this.#falses ??= []).push(target);
        else (this.#nulls ??= []).push(target);
        return;
      case 'ip':
        this.#readsAddresses = true;
        push((this.#addresses ??= new Map()), pattern.key, target);
        return;
      case 'cidr': {
        this.#readsAddresses = true;
        const { range } = pattern;
        if (range.family === 4) (this.#cidr4 ??= new IntervalIndex()).add(range.lo, false, range.hi, false, target);
        else (this.#cidr6 ??= new IntervalIndex()).add(range.lo, false, range.hi, false, target);
        return;
      }
      case 'equals-ignore-case':
        this.#folds = true;
        push((this.#folded ??= new Map()), pattern.value, target);
        return;
      case 'prefix':
        if (pattern.ignoreCase) {
          this.#folds = true;
          (this.#foldedPrefixes ??= new CharTrie(false)).add(pattern.value, target);
        } else {
          (this.#prefixes ??= new CharTrie(false)).add(pattern.value, target);
        }
        return;
      case 'suffix':
        if (pattern.ignoreCase) {
          this.#folds = true;
          (this.#foldedSuffixes ??= new CharTrie(true)).add(pattern.value, target);
        } else {
          (this.#suffixes ??= new CharTrie(true)).add(pattern.value, target);
        }
        return;
      case 'wildcard':
        (this.#wildcards ??= new CharTrie(false)).add(pattern.glob.parts[0]!, { glob: pattern.glob, target });
        return;
      case 'range':
        (this.#ranges ??= new IntervalIndex()).add(pattern.lo, pattern.loOpen, pattern.hi, pattern.hiOpen, target);
        return;
      case 'exists':
        (this.#exists ??= []).push(target);
        return;
      default:
        (this.#anythingBut ??= new AnythingButIndex()).add(pattern satisfies AnythingBut, target);
    }
  }

  /** Sends the target of every test `value` passes to `sink` (a target may come more than once). */
  collect(value: Leaf, sink: TargetSink<T>): void {
    if (typeof value === 'string') this.#collectString(value, sink);
    else if (typeof value === 'number') {
      if (this.#numbers !== null) all(this.#numbers.get(value), sink);
      if (this.#ranges !== null) this.#ranges.collect(value, sink);
    } else if (value === true) all(this.#trues, sink);
    else if (value === false) all(this.#falses, sink);
    else all(this.#nulls, sink);
    if (this.#exists !== null) all(this.#exists, sink);
    if (this.#anythingBut !== null) this.#anythingBut.collect(value, sink);
  }

  #collectString(value: string, sink: TargetSink<T>): void {
    if (this.#strings !== null) all(this.#strings.get(value), sink);
    if (this.#prefixes !== null) walk(this.#prefixes.root, value, false, sink);
    if (this.#suffixes !== null) walk(this.#suffixes.root, value, true, sink);
    if (this.#wildcards !== null) this.#collectWildcards(value, sink);
    if (this.#folds) {
      const folded = foldCase(value);
      if (this.#folded !== null) all(this.#folded.get(folded), sink);
      if (this.#foldedPrefixes !== null) walk(this.#foldedPrefixes.root, folded, false, sink);
      if (this.#foldedSuffixes !== null) walk(this.#foldedSuffixes.root, folded, true, sink);
    }
    if (this.#readsAddresses) {
      const address = parseIp(value);
      if (address !== undefined) {
        if (this.#addresses !== null) all(this.#addresses.get(ipKey(address)), sink);
        if (address.family === 4) this.#cidr4?.collect(address.value, sink);
        else this.#cidr6?.collect(address.value, sink);
      }
    }
  }

  #collectWildcards(value: string, sink: TargetSink<T>): void {
    let node: TrieNode<WildcardEntry<T>> | undefined = this.#wildcards!.root;
    for (let i = 0; node !== undefined; i++) {
      if (node.items !== null) {
        for (const entry of node.items) if (matchesGlob(entry.glob, value)) sink.receive(entry.target);
      }
      if (i === value.length || node.next === null) return;
      node = node.next.get(value.charCodeAt(i));
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function all<T>(targets: readonly T[] | null | undefined, sink: TargetSink<T>): void {
  if (targets !== null && targets !== undefined) for (const target of targets) sink.receive(target);
}

/** Sends the items of every stored key that starts (or, `backwards`, ends) `value`. */
function walk<T>(root: TrieNode<T>, value: string, backwards: boolean, sink: TargetSink<T>): void {
  let node: TrieNode<T> | undefined = root;
  const length = value.length;
  for (let i = 0; node !== undefined; i++) {
    if (node.items !== null) all(node.items, sink);
    if (i === length || node.next === null) return;
    node = node.next.get(value.charCodeAt(backwards ? length - 1 - i : i));
  }
}
