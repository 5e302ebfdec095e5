/**
 * `make`, remembered per key: for hot paths that meet the same few keys again and again (header
 * names, content types, the keys of a pipeline stage). The keys come from callers, so the memo
 * forgets everything once it holds `max` of them and memory stays bounded whatever they send.
 * `make` may return undefined; that is remembered too.
 */
export function boundedMemo<V>(max: number, make: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined && !memo.has(key)) {
      if (memo.size >= max) memo.clear();
      value = make(key);
      memo.set(key, value);
    }
    return value as V;
  };
}
