import { TimeoutError } from '../errors/errors.js';

/** Runs `work` with an abort signal that fires, and a rejection with `TimeoutError`, after `timeoutMs`. */
export async function runWithTimeout<T>(
  timeoutMs: number,
  what: string,
  work: (signal: AbortSignal) => Promise<T> | T,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(
        `${what} took longer than ${timeoutMs} ms. Raise its timeoutMs or make it faster.`,
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => work(controller.signal)), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
