/**
 * Receives the targets of the tests a value passes, from every index of a `ValueMatcher`. The
 * rule matcher is the one sink: an interface, not a callback, so no closure is made per value.
 */
export interface TargetSink<T> {
  receive(target: T): void;
}
