import { describe, expect, it } from 'vitest';
import { boundedMemo } from '@eddy/core/internal';

describe('boundedMemo', () => {
  it('makes each value once, undefined ones included', () => {
    const made: string[] = [];
    const memo = boundedMemo(10, (key) => {
      made.push(key);
      return key.startsWith('x') ? undefined : key.toUpperCase();
    });
    expect([memo('a'), memo('a'), memo('xb'), memo('xb')]).toEqual(['A', 'A', undefined, undefined]);
    expect(made).toEqual(['a', 'xb']);
  });

  it('holds at most max keys: past them it starts over, and values stay right', () => {
    const made: string[] = [];
    const memo = boundedMemo(3, (key) => {
      made.push(key);
      return `v-${key}`;
    });
    for (const key of ['a', 'b', 'c', 'd', 'a', 'd']) expect(memo(key)).toBe(`v-${key}`);
    // 'd' found three held and cleared them; 'a' was made again, 'd' was not.
    expect(made).toEqual(['a', 'b', 'c', 'd', 'a']);
  });
});
