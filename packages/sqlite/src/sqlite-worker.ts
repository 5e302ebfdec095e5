import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running `source`, a CommonJS script that finds the better-sqlite3 module
 * this package resolves at `workerData.module`. A script rather than a module file, so that it runs
 * the same from the TypeScript sources and from the build.
 */
export function startSqliteWorker(source: string, workerData: Readonly<Record<string, unknown>>): Worker {
  const require = createRequire(import.meta.url);
  return new Worker(source, {
    eval: true,
    workerData: { ...workerData, module: require.resolve('better-sqlite3') },
  });
}
