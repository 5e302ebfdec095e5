import { isEddyError, type OutgoingMessage, type Position, type Transport } from '@eddy/core';
import { backoffDelayMs, TimeoutError } from '@eddy/core/internal';
import type { TransportRestartOptions } from '../options.js';
import type { Harness } from './harness.js';

/** Default of `ServerRestartOptions.publishTimeoutMs`. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 30_000;
/** Default of `ServerRestartOptions.recoveryTimeoutMs`. */
export const DEFAULT_RECOVERY_TIMEOUT_MS = 20_000;
/**
 * `ackTimeoutMs` of subscriptions that live through a restart: an ack in flight when the backend
 * stops is lost and its message comes back only after the ack timeout, so a short one keeps the
 * cases fast.
 */
export const RESTART_ACK_TIMEOUT_MS = 3_000;
// Pauses between publish attempts while a transport finds its way back, as a producer would back off.
const RETRY_BACKOFF = { baseDelayMs: 50, maxDelayMs: 1_000 };

/** The restart cases' view of the backend: transports on it, and how to restart it. */
export class RestartHarness {
  readonly publishTimeoutMs: number;
  readonly recoveryTimeoutMs: number;

  constructor(
    /** Transports on the restartable backend, closed after each test. */
    readonly h: Harness,
    private readonly options: TransportRestartOptions,
  ) {
    const server = options.backend === 'server' ? options : undefined;
    this.publishTimeoutMs = server?.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    this.recoveryTimeoutMs = server?.recoveryTimeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS;
  }

  /**
   * Restarts the backend under the transports `h` opened. A server is stopped, `whileDown` runs,
   * and the server is started again, also when `whileDown` fails. An embedded backend's restart is
   * its process ending: every transport `h` opened is closed (draining in-flight work), then
   * `whileDown` runs; transports opened afterwards play the new process.
   */
  async restart(whileDown?: () => void | Promise<void>): Promise<void> {
    if (this.options.backend === 'embedded') {
      await this.h.closeAll();
      await whileDown?.();
      return;
    }
    await this.options.stopBackend();
    try {
      await whileDown?.();
    } finally {
      await this.options.startBackend();
    }
  }

  /**
   * Publishes through a transport that may still be finding its way back after a restart: a
   * rejection with a retriable `EddyError` is retried after a backoff, until `recoveryTimeoutMs`.
   * Any other rejection fails at once.
   */
  async publishUntilAccepted(
    transport: Transport,
    topic: string,
    messages: readonly OutgoingMessage[],
  ): Promise<Position[]> {
    const deadline = Date.now() + this.recoveryTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await transport.publish(topic, messages);
      } catch (error) {
        if (!isEddyError(error) || !error.retriable) throw error;
        if (Date.now() >= deadline) {
          throw new TimeoutError(
            `${this.h.name} still refused publishes ${this.recoveryTimeoutMs} ms after the restart ` +
              `(last: ${error.code} ${error.message}). A transport must reconnect by itself.`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, RETRY_BACKOFF)));
      }
    }
  }
}
