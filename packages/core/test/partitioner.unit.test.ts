import { partitionForKey } from '@eddy/core/internal';
import { describe, expect, it } from 'vitest';

// A key's partition must never move while a topic lives: these pins fail if the hash changes.
// Expected values are FNV-1a (32-bit) over the key's UTF-8 bytes, modulo the partition count;
// e.g. FNV-1a("a") = 0xe40c292c and FNV-1a("") = 0x811c9dc5 (the offset basis).
describe('partitionForKey', () => {
  it.each([
    ['order-1', [1, 5, 13, 49]],
    ['customer-42', [2, 6, 14, 86]],
    ['a', [0xe40c292c % 4, 0xe40c292c % 8, 0xe40c292c % 16, 0xe40c292c % 100]],
    ['', [0x811c9dc5 % 4, 0x811c9dc5 % 8, 0x811c9dc5 % 16, 0x811c9dc5 % 100]],
    ['Zürich', [0, 0, 0, 84]],
    ['東京', [3, 7, 15, 19]],
    ['🙂-emoji', [0, 4, 12, 72]],
    ['k'.repeat(300), [1, 1, 1, 73]],
  ] as const)('maps %j to the same partitions as in every earlier release', (key, expected) => {
    expect([4, 8, 16, 100].map((partitions) => partitionForKey(key, partitions))).toEqual(expected);
  });
});
