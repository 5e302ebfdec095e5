import { AnythingButIndex, type AnythingBut } from './anything-but-index.js';
import { foldCase } from './case-fold.js';
import { CharTrie } from './char-trie.js';
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
  /** Receives the wildcards whose head starts the value, and passes on those that match it. */
  readonly #heads = new WildcardHeads<T>();
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
        push((this.#strings ??= new Map<string, T[]>()), pattern.value, target);
        return;
      case 'number':
        push((this.#numbers ??= new Map<number, T[]>()), pattern.value, target);
        return;
      case 'literal':
        if (pattern.value === true) (this.#trues ??= []).push(target);
        else if (pattern.value === false) (this.#falses ??= []).push(target);
        else (this.#nulls ??= []).push(target);
        return;
      case 'ip':
        this.#readsAddresses = true;
        push((this.#addresses ??= new Map<string, T[]>()), pattern.key, target);
        return;
      case 'cidr': {
        this.#readsAddresses = true;
        const { range } = pattern;
        if (range.family === 4)
          (this.#cidr4 ??= new IntervalIndex()).add(range.lo, false, range.hi, false, target);
        else (this.#cidr6 ??= new IntervalIndex()).add(range.lo, false, range.hi, false, target);
        return;
      }
      case 'equals-ignore-case':
        this.#folds = true;
        push((this.#folded ??= new Map<string, T[]>()), pattern.value, target);
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
        (this.#ranges ??= new IntervalIndex()).add(
          pattern.lo,
          pattern.loOpen,
          pattern.hi,
          pattern.hiOpen,
          target,
        );
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
    if (this.#prefixes !== null) this.#prefixes.collect(value, sink);
    if (this.#suffixes !== null) this.#suffixes.collect(value, sink);
    if (this.#wildcards !== null) {
      const heads = this.#heads;
      heads.value = value;
      heads.sink = sink;
      this.#wildcards.collect(value, heads);
    }
    if (this.#folds) {
      const folded = foldCase(value);
      if (this.#folded !== null) all(this.#folded.get(folded), sink);
      if (this.#foldedPrefixes !== null) this.#foldedPrefixes.collect(folded, sink);
      if (this.#foldedSuffixes !== null) this.#foldedSuffixes.collect(folded, sink);
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
}

/**
 * The sink for the wildcard trie: the trie finds the wildcards whose text before the first star
 * starts the value; only those are tried in full. One per matcher, refilled per value.
 */
class WildcardHeads<T> implements TargetSink<WildcardEntry<T>> {
  value = '';
  sink: TargetSink<T> | null = null;

  receive(entry: WildcardEntry<T>): void {
    if (matchesGlob(entry.glob, this.value)) this.sink!.receive(entry.target);
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
