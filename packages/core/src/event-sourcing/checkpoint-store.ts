/**
 * Remembers how far each subscription got in the global order, so it resumes there after a
 * restart. Memory here; SQLite and PostgreSQL in their packages (ideally in the same transaction
 * as the read model the subscription writes).
 */
export interface CheckpointStore {
  /** Global position of the last event the subscription handled, or undefined when it never ran. */
  load(subscriptionId: string): Promise<number | undefined>;
  save(subscriptionId: string, position: number): Promise<void>;
  /** Forgets the checkpoint, so the subscription starts from the beginning (used by rebuilds). */
  delete(subscriptionId: string): Promise<void>;
}
