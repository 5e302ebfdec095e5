import type { TargetSink } from './target-sink.js';

/** A node while keys are added: one map entry per next character. */
interface BuildNode<T> {
  items: T[] | null;
  next: Map<number, BuildNode<T>> | null;
}

/** A run of characters with no branch and no key ending inside it, in the value's reading order. */
interface Edge<T> {
  /** The characters as they appear in the value (also for a backwards trie). */
  readonly label: string;
  readonly node: Node<T>;
}

interface Node<T> {
  readonly items: readonly T[] | null;
  /** Edges by the first character read, when there are several. */
  readonly edges: Map<number, Edge<T>> | null;
  /** The edge, when there is one (most nodes): no map look-up. */
  readonly only: Edge<T> | null;
}

/**
 * Keys stored character by character (UTF-16 code units), forwards for prefixes or backwards for
 * suffixes. Finding every stored key that starts (or ends) a value costs one step per branch on
 * the way, however many keys there are, where testing each key in turn would cost one comparison
 * per key. Runs without a branch are merged into one edge and compared with one
 * `startsWith`/`endsWith`, so a long shared prefix such as "com.example." costs one call.
 */
export class CharTrie<T> {
  readonly #root: BuildNode<T> = { items: null, next: null };
  #compact: Node<T> | null = null;

  constructor(readonly backwards: boolean) {}

  add(key: string, item: T): void {
    let node = this.#root;
    const length = key.length;
    for (let i = 0; i < length; i++) {
      const code = key.charCodeAt(this.backwards ? length - 1 - i : i);
      node.next ??= new Map();
      let child = node.next.get(code);
      if (child === undefined) {
        child = { items: null, next: null };
        node.next.set(code, child);
      }
      node = child;
    }
    (node.items ??= []).push(item);
    this.#compact = null;
  }

  /** Sends the items of every key that starts (or, backwards, ends) `value` to `sink`. */
  collect(value: string, sink: TargetSink<T>): void {
    let node: Node<T> = (this.#compact ??= this.#compress(this.#root));
    const length = value.length;
    let read = 0;
    for (;;) {
      if (node.items !== null) for (const item of node.items) sink.receive(item);
      if (read === length) return;
      let edge: Edge<T> | null | undefined = node.only;
      if (this.backwards) {
        const end = length - read;
        edge ??= node.edges?.get(value.charCodeAt(end - 1));
        if (edge === undefined || edge === null || !value.endsWith(edge.label, end)) return;
      } else {
        edge ??= node.edges?.get(value.charCodeAt(read));
        if (edge === undefined || edge === null || !value.startsWith(edge.label, read)) return;
      }
      read += edge.label.length;
      node = edge.node;
    }
  }

  #compress(built: BuildNode<T>): Node<T> {
    const edges = new Map<number, Edge<T>>();
    for (const [first, start] of built.next ?? []) {
      const codes = [first];
      let node = start;
      while (node.items === null && node.next !== null && node.next.size === 1) {
        const [code, next] = node.next.entries().next().value!;
        codes.push(code);
        node = next;
      }
      if (this.backwards) codes.reverse();
      edges.set(first, {
        label: codes.map((code) => String.fromCharCode(code)).join(''),
        node: this.#compress(node),
      });
    }
    return {
      items: built.items,
      edges: edges.size > 1 ? edges : null,
      only: edges.size === 1 ? [...edges.values()][0]! : null,
    };
  }
}
