import { backoffDelayMs } from '@eddy/core/internal';
import type pg from 'pg';
import { quoteIdent } from './migration.js';

export interface NotifyListenerOptions {
  /** Creates a fresh, unconnected client (a LISTEN needs its own session, never a pooled one). */
  readonly createClient: () => pg.Client;
  readonly channel: string;
  /** Called with the payload (a topic name) of every notification. */
  readonly onNotify: (topic: string) => void;
  /** Called after a reconnect: notifications sent while disconnected are lost, so everyone should look. */
  readonly onReconnect: () => void;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly report: (error: unknown, doing: string) => void;
}

/**
 * Holds one dedicated connection LISTENing on the schema's channel, and reconnects with backoff
 * when it drops. Subscribers never depend on it for correctness: they also poll.
 */
export class NotifyListener {
  private client: pg.Client | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Reconnects attempted since the connection was last established, for the backoff. */
  private attempts = 0;

  constructor(private readonly options: NotifyListenerOptions) {}

  /** Connects and starts listening; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = this.options.createClient();
    let established = false;
    let lost = false;
    const onLost = (error?: Error): void => {
      // Failures while connecting are reported by connect() itself.
      if (lost || !established) return;
      lost = true;
      if (error !== undefined) this.options.report(error, 'listening for notifications');
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (notification) => {
      if (notification.payload !== undefined) this.options.onNotify(notification.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.options.channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    established = true;
    this.client = client;
    this.attempts = 0;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = undefined;
        this.connect().then(
          () => this.options.onReconnect(),
          (error: unknown) => {
            this.options.report(error, 'reconnecting the notification listener');
            this.scheduleReconnect();
          },
        );
      },
      backoffDelayMs(++this.attempts, {
        baseDelayMs: this.options.reconnectDelayMs,
        maxDelayMs: this.options.maxReconnectDelayMs,
      }),
    );
  }
}
