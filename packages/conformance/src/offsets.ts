const SEGMENTS = /\d+|\D+/g;

/**
 * Orders two offsets of one partition. Offsets are opaque strings; the suite requires them to sort
 * in natural order: runs of digits compare as numbers (so "9" < "10" and Redis-style "5-1" < "5-2"),
 * anything else compares as text.
 */
export function compareOffsets(a: string, b: string): number {
  const left = a.match(SEGMENTS) ?? [];
  const right = b.match(SEGMENTS) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const difference = BigInt(x) - BigInt(y);
      return difference < 0n ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
