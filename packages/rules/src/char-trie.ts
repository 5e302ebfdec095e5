/** A node of a `CharTrie`: the items whose key ends here and the nodes one character on. */
export interface TrieNode<T> {
  items: T[] | null;
  next: Map<number, TrieNode<T>> | null;
}

/**
 * Keys stored character by character (UTF-16 code units), forwards for prefixes or backwards for
 * suffixes. Finding every stored key that starts (or ends) a value costs one map look-up per
 * character of the longest such key, however many keys there are, where testing each key in turn
 * would cost one comparison per key.
 */
export class CharTrie<T> {
  readonly root: TrieNode<T> = { items: null, next: null };

  constructor(readonly backwards: boolean) {}

  add(key: string, item: T): void {
    let node = this.root;
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
  }
}
