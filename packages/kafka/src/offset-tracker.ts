/**
 * Commit position of one partition when messages are acknowledged out of order. Kafka commits a
 * single offset per partition ("everything before this is done"), so the commit may only advance
 * over a contiguous run of acknowledged offsets: committing past an unacknowledged message would
 * lose it on a crash or rebalance.
 */
export class OffsetTracker {
  /** Offsets handed out and not yet committable, in the order they were tracked (ascending). */
  private readonly pending: bigint[] = [];
  private readonly acked = new Set<bigint>();
  private next: bigint | undefined;
  private committed: bigint | undefined;

  /** Records that `offset` was handed to a handler. Offsets must be tracked in ascending order. */
  track(offset: string): void {
    const value = BigInt(offset);
    const last = this.pending.at(-1) ?? (this.next === undefined ? undefined : this.next - 1n);
    if (last !== undefined && value <= last) {
      throw new RangeError(`Offset ${offset} tracked after ${last}: offsets must ascend within a partition.`);
    }
    this.pending.push(value);
  }

  /** Records that the handler of `offset` settled (acked, or handed to the retry topic). */
  ack(offset: string): void {
    const value = BigInt(offset);
    if (!this.pending.includes(value)) return;
    this.acked.add(value);
    while (this.pending.length > 0 && this.acked.has(this.pending[0]!)) {
      const done = this.pending.shift()!;
      this.acked.delete(done);
      this.next = done + 1n;
    }
  }

  /**
   * The offset to commit (Kafka's convention: the next offset to read), or undefined when nothing
   * new became committable since the last `markCommitted`.
   */
  committable(): string | undefined {
    if (this.next === undefined || this.next === this.committed) return undefined;
    return this.next.toString();
  }

  /** The next offset after the contiguous settled run (committed or not), or undefined before any. */
  nextOffset(): string | undefined {
    return this.next?.toString();
  }

  markCommitted(offset: string): void {
    const value = BigInt(offset);
    if (this.committed === undefined || value > this.committed) this.committed = value;
  }

  /** Messages tracked and not yet part of the committable prefix (in flight, or acked after a gap). */
  get outstanding(): number {
    return this.pending.length;
  }
}
