/**
 * A copy of `bytes`, of the same class. `Buffer#slice` returns a view of the same memory (unlike
 * `Uint8Array#slice`), so calling it on a Buffer would let a producer or a handler change what
 * others read. A Buffer is copied with `Buffer.from`, which takes small copies from Node's shared
 * pool instead of giving each its own allocation.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? Buffer.from(bytes) : bytes.slice();
}
