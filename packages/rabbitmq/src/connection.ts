import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { backoffDelayMs, ClosedError, redactUrl } from '@eddy/core/internal';
import { notConnectedError, toEddyError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';

interface Waiter {
  resolve(connection: ChannelModel): void;
  reject(error: unknown): void;
}

function ignore(): void {}

/** The broker as error messages name it, password masked: `RabbitMQ at amqp://app:***@mq:5672`. */
export function describeTarget(url: string): string {
  return `RabbitMQ at ${redactUrl(url)}`;
}

/**
 * Owns the one AMQP connection of a transport and keeps it alive: when it drops, reconnects with
 * exponential backoff and full jitter until the transport closes. Channels are the users' business;
 * they notice a lost connection through their own `close` event and come back through `ready()`.
 */
export class ConnectionManager {
  private connection: ChannelModel | undefined;
  private publishChannel: Promise<ConfirmChannel> | undefined;
  private waiters = new Set<Waiter>();
  private closed = false;
  private lastError: unknown;
  /**
   * Grows with every new confirm channel (so with every reconnection too). Topology declared through
   * the confirm channel is cached per generation: a channel closed by an error, such as publishing to
   * an exchange deleted behind Eddy's back, makes the next one declare again.
   */
  generation = 0;

  /** The broker as error messages name it. */
  readonly where: string;

  private constructor(private readonly options: ResolvedRabbitMqOptions) {
    this.where = describeTarget(options.url);
  }

  /** Connects once; a failure rejects with `AuthError` or `ConnectionError` instead of retrying. */
  static async open(options: ResolvedRabbitMqOptions): Promise<ConnectionManager> {
    const manager = new ConnectionManager(options);
    manager.adopt(await manager.connectOnce());
    return manager;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The live connection, waiting up to `operationTimeoutMs` while reconnecting. */
  ready(): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new ClosedError('The RabbitMQ transport'));
    if (this.connection !== undefined) return Promise.resolve(this.connection);
    return new Promise<ChannelModel>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(notConnectedError(this.where, this.options.operationTimeoutMs, this.lastError));
      }, this.options.operationTimeoutMs);
      const waiter: Waiter = {
        resolve: (connection) => {
          clearTimeout(timer);
          resolve(connection);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The shared confirm channel used for publishing; re-created after it or the connection closes. */
  confirmChannel(): Promise<ConfirmChannel> {
    this.publishChannel ??= this.openConfirmChannel();
    return this.publishChannel;
  }

  private async openConfirmChannel(): Promise<ConfirmChannel> {
    try {
      const connection = await this.ready();
      const channel = await connection.createConfirmChannel();
      channel.on('error', ignore);
      this.generation += 1;
      channel.once('close', () => {
        if (this.publishChannel !== undefined) this.publishChannel = undefined;
      });
      return channel;
    } catch (error) {
      this.publishChannel = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) waiter.reject(new ClosedError('The RabbitMQ transport'));
    this.waiters.clear();
    const connection = this.connection;
    this.connection = undefined;
    this.publishChannel = undefined;
    if (connection !== undefined) await connection.close().catch(ignore);
  }

  private connectUrl(): string {
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) {
      url.searchParams.set('heartbeat', String(Math.ceil(this.options.heartbeatMs / 1000)));
    }
    return url.toString();
  }

  private async connectOnce(): Promise<ChannelModel> {
    try {
      // amqplib leaves Nagle's algorithm on: awaited small publishes then wait ~40 ms each for the
      // delayed-ACK timer. noDelay turns it off.
      return await amqp.connect(this.connectUrl(), {
        noDelay: true,
        timeout: this.options.connectTimeoutMs,
        clientProperties: { connection_name: `eddy-${process.pid}` },
      });
    } catch (error) {
      throw toEddyError(error, 'connecting', this.where);
    }
  }

  private adopt(connection: ChannelModel): void {
    this.connection = connection;
    // Every subscription on this connection watches its 'close' (one per priority lane, so a
    // transport with lanes passes Node's default of 10 and would print a leak warning for a count
    // that is bounded by its subscriptions).
    connection.setMaxListeners(0);
    connection.on('error', (error: unknown) => {
      this.lastError = error;
    });
    connection.once('close', (error: unknown) => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.publishChannel = undefined;
      if (this.closed) return;
      this.lastError = error ?? this.lastError;
      this.options.onConnectionEvent({ type: 'disconnected', error: this.lastError });
      void this.reconnect();
    });
    for (const waiter of this.waiters) waiter.resolve(connection);
    this.waiters.clear();
  }

  private async reconnect(): Promise<void> {
    const schedule = {
      baseDelayMs: this.options.initialReconnectDelayMs,
      maxDelayMs: this.options.maxReconnectDelayMs,
    };
    for (let attempt = 1; !this.closed; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, schedule)));
      if (this.closed) return;
      try {
        const connection = await this.connectOnce();
        if (this.closed) {
          await connection.close().catch(ignore);
          return;
        }
        this.adopt(connection);
        this.options.onConnectionEvent({ type: 'reconnected', attempts: attempt });
        return;
      } catch (error) {
        this.lastError = error;
        this.options.onConnectionEvent({ type: 'reconnect-failed', error, attempt });
      }
    }
  }
}
