/**
 * Maps a partition key to a partition. FNV-1a over the key's UTF-8 bytes: stable across processes,
 * languages and releases, which matters because a key's partition must never move while a topic lives.
 */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(key, 'utf8');
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
