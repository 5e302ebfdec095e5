import type { Worker } from 'node:worker_threads';
import { startSqliteWorker } from './sqlite-worker.js';

// Runs in a worker thread with its own connection. A checkpoint copies WAL pages into the database
// and fsyncs it; done on the committing connection (SQLite's default) it would stall the event
// loop every few megabytes of writes, which shows as latency spikes for publishers and consumers.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** Checkpoints the WAL off the main thread until stopped. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(options: {
    path: string;
    busyTimeoutMs: number;
    intervalMs: number;
    onError: (error: Error) => void;
  }) {
    this.#worker = startSqliteWorker(WORKER_SOURCE, {
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs,
      intervalMs: options.intervalMs,
    });
    this.#worker.unref();
    this.#worker.on('message', (message: { error: string }) => options.onError(new Error(message.error)));
    this.#worker.on('error', (error) => options.onError(error));
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** Runs a last checkpoint and closes the worker's connection. */
  async stop(): Promise<void> {
    // Referenced again so that the process waits for the last checkpoint instead of exiting.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    await this.#exited;
  }
}
