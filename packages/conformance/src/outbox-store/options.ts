import type { OutboxEntry, OutboxStore } from '@eddy/core/outbox';

/** One outbox under test: the relay's port, and a way to commit rows as an application would. */
export interface OutboxUnderTest {
  readonly store: OutboxStore;
  /** Commits `entries` in one transaction of the application (each store's own `add`). */
  readonly add: (entries: readonly OutboxEntry[]) => void | Promise<void>;
  /** Closes what was opened for `add` besides the store (closed by the suite). Default none. */
  readonly close?: () => void | Promise<void>;
}

/** How the outbox store suite reaches the store under test. */
export interface OutboxStoreConformanceOptions {
  /** Backend name shown in the test names. */
  readonly name: string;
  /**
   * Opens a new, empty outbox with `lanes` lanes: its own table (or store), so tests never see each
   * other's rows. The suite closes it after each test.
   */
  readonly createOutbox: (lanes: number) => OutboxUnderTest | Promise<OutboxUnderTest>;
  /**
   * Whether the store implements the optional `discardFailed`; without it, its cases are skipped
   * and the skip says so. Default true.
   */
  readonly discardFailed?: boolean;
  /** Runs once after all tests (drop the schema, remove the file). */
  readonly teardown?: () => void | Promise<void>;
}
