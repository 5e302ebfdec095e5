import type { Worker } from 'node:worker_threads';
import { BackendError } from '@eddy/core/internal';
import { startSqliteWorker } from './sqlite-worker.js';

/** One run of a prepared statement: its index in the thread's list and the values it binds. */
export type StatementCall = readonly [statement: number, values: readonly unknown[]];

export interface StatementThreadOptions {
  /** The database file; the thread opens a connection of its own to it (the file is already WAL). */
  readonly path: string;
  /** The SQL of the statements that calls name by index. */
  readonly statements: readonly string[];
  readonly busyTimeoutMs: number;
  readonly synchronous: 'NORMAL' | 'FULL';
}

// Runs in the worker: one connection, the statements prepared once, each message's calls in one
// IMMEDIATE transaction. The values arrive by structured clone, which copies strings, numbers,
// null and Buffers as better-sqlite3 binds them.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = ' + workerData.synchronous);
const statements = workerData.statements.map((sql) => db.prepare(sql));
const run = db.transaction((calls) => {
  for (const [statement, values] of calls) statements[statement].run(values);
});
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    run.immediate(message.calls);
    parentPort.postMessage({ id: message.id });
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      error: { message: String(error && error.message ? error.message : error), code: error && error.code },
    });
  }
});
`;

interface Reply {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string };
}

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Runs transactions of prepared statements on a worker thread with a connection of its own, so
 * that SQLite's work on them (binding, B-tree writes, the commit) does not hold the event loop:
 * the caller goes on with other work, such as decoding its next batch, meanwhile. Transactions run
 * one at a time in the order they were asked for; each resolves once committed.
 */
export class StatementThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  #nextId = 0;
  #failure: Error | undefined;

  constructor(options: StatementThreadOptions) {
    this.#worker = startSqliteWorker(WORKER_SOURCE, {
      path: options.path,
      statements: options.statements,
      busyTimeoutMs: options.busyTimeoutMs,
      synchronous: options.synchronous,
    });
    // Referenced only while a transaction is in flight: an idle thread never keeps the process up.
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => this.#settle(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', () => {
        this.#fail(new Error('the statement thread exited'));
        resolve();
      }),
    );
  }

  /** Runs `calls` in one transaction on the thread; resolves once it committed. */
  run(calls: readonly StatementCall[]): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, calls });
    });
  }

  /** Waits for the transactions asked for, then closes the thread's connection. */
  async close(): Promise<void> {
    if (this.#failure === undefined) {
      this.#worker.ref();
      this.#worker.postMessage('close');
    }
    await this.#exited;
  }

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.error === undefined) pending.resolve();
    // Rebuilt with the driver's code, so that callers map a lock timeout as they would in-thread.
    else pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
  }

  #fail(error: Error): void {
    this.#failure ??= new BackendError(
      `The SQLite statement thread stopped (${error.message}); a transaction it had not confirmed may or ` +
        'may not have committed. Close the store and open it again.',
      { cause: error },
    );
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}
