import { type Logger, silentLogger } from '../observability/logger.js';

/** Anything with a graceful `stop`, e.g. a bus. */
export interface Stoppable {
  stop(options?: { readonly deadlineMs?: number }): Promise<void>;
}

export interface StopOnSignalsOptions {
  /** Signals that trigger a graceful stop. Default `['SIGINT', 'SIGTERM']`. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Time in-flight work gets before it is nacked, ms. Default 10 000. */
  readonly deadlineMs?: number;
  /**
   * Called after everything stopped, with exit code 0 (or 1 when a stop failed). Default
   * `process.exit`. A second signal while stopping exits at once with code 130.
   */
  readonly exit?: (code: number) => void;
  readonly logger?: Logger;
}

/**
 * Stops the given buses (in order) on SIGINT/SIGTERM: each stops fetching, lets in-flight
 * deliveries finish until the deadline, nacks the rest (they are redelivered) and closes its
 * transport. Returns a function that removes the signal listeners.
 */
export function stopOnSignals(targets: readonly Stoppable[], options: StopOnSignalsOptions = {}): () => void {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const logger = options.logger ?? silentLogger;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      exit(130);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping gracefully');
    void (async () => {
      let code = 0;
      for (const target of targets) {
        try {
          await target.stop(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs });
        } catch (error) {
          code = 1;
          logger.error({ err: error }, 'graceful stop failed');
        }
      }
      exit(code);
    })();
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
