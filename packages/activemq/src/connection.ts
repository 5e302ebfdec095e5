import { createConnection, type Socket } from 'node:net';
import { Client, type IFrame, type StompHeaders } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';
import { backoffDelayMs, ClosedError, ConnectionError, redactUrl, TimeoutError } from '@eddy/core/internal';
import { ConnectionLost, StompErrorFrame, toEddyError } from './errors.js';
import type { ResolvedActiveMqOptions } from './options.js';

/** The broker as error messages name it: its STOMP url with the password masked. */
export function describeTarget(url: string): string {
  return `ActiveMQ at ${redactUrl(url)}`;
}

/**
 * stompjs speaks to a WebSocket-like object; this is the TCP one, with Nagle's algorithm off (small
 * frames would otherwise wait for the peer's delayed ACK) and the frames written during one tick
 * sent as one packet (a batch publish is a few thousand frames).
 */
class StompSocket extends TCPWrapper {
  // Declared, not initialised: TCPWrapper's constructor calls getSocket() before subclass fields exist.
  declare private tcp: Socket;
  declare private corked: boolean;
  declare lastError: unknown;

  protected override getSocket(port: number, host: string): Socket {
    const socket = createConnection({ port, host, noDelay: true });
    socket.on('error', (error) => (this.lastError = error));
    this.tcp = socket;
    return socket;
  }

  override send(data: string | ArrayBuffer): void {
    if (this.corked !== true && !this.tcp.destroyed) {
      this.corked = true;
      this.tcp.cork();
      process.nextTick(() => {
        this.corked = false;
        this.tcp.uncork();
      });
    }
    super.send(data);
  }
}

/** One STOMP session: a connected client on its own socket. A reconnect makes a new session. */
export interface Session {
  readonly client: Client;
  /** Frames stompjs cannot send itself (a COMMIT with a receipt) go straight to its socket, in order. */
  readonly socket: StompSocket;
  readonly closed: boolean;
}

interface SessionState extends Session {
  closed: boolean;
  readonly receipts: Map<string, { resolve(): void; reject(error: unknown): void }>;
}

type Listener = (session: Session) => void;

function ignore(): void {}

/**
 * Owns the STOMP connection of a transport and keeps it alive: when it drops, reconnects with
 * exponential backoff and full jitter until the transport closes, and tells subscriptions so they
 * subscribe again. Commands that need the broker's answer go through `request`, which resolves on
 * the RECEIPT and rejects on an ERROR frame, a lost connection or `operationTimeoutMs`.
 */
export class ActiveMqConnection {
  readonly where: string;
  #session: SessionState | undefined;
  #closed = false;
  #counter = 0;
  #lastError: unknown;
  #waiters = new Set<{ resolve(session: SessionState): void; reject(error: unknown): void }>();
  #listeners = new Set<Listener>();

  private constructor(private readonly options: ResolvedActiveMqOptions) {
    this.where = describeTarget(options.url);
  }

  /** Connects once; a failure rejects with `AuthError`, `ConnectionError` or `TimeoutError` instead of retrying. */
  static async open(options: ResolvedActiveMqOptions): Promise<ActiveMqConnection> {
    const connection = new ActiveMqConnection(options);
    connection.#adopt(await connection.#connectOnce());
    return connection;
  }

  get session(): Session | undefined {
    return this.#session;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** A name unique on this connection, for subscription, transaction and receipt ids. */
  nextId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}-${this.#counter}`;
  }

  /** The live session, waiting up to `operationTimeoutMs` while reconnecting. */
  ready(): Promise<Session> {
    if (this.#closed) return Promise.reject(new ClosedError('The ActiveMQ transport'));
    if (this.#session !== undefined) return Promise.resolve(this.#session);
    return new Promise<Session>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new ConnectionError(
            `${this.where} has been unreachable for ${this.options.operationTimeoutMs} ms; the transport keeps ` +
              'reconnecting. Retry later, or raise operationTimeoutMs to wait longer.',
            this.#lastError === undefined ? {} : { cause: this.#lastError },
          ),
        );
      }, this.options.operationTimeoutMs);
      const waiter = {
        resolve: (session: SessionState) => {
          clearTimeout(timer);
          resolve(session);
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Calls `listener` with every new session after a reconnect. Returns the function that stops it. */
  onReconnected(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Sends what `send` writes with a `receipt` header set to the id it is given, and resolves once
   * the broker answers with that RECEIPT: for a SEND, a persistent message is stored; for a COMMIT,
   * the whole transaction is.
   */
  request(session: Session, doing: string, send: (receipt: string) => void): Promise<void> {
    const state = session as SessionState;
    if (state.closed)
      return Promise.reject(toEddyError(new ConnectionLost(this.#lastError), doing, this.where));
    const receipt = this.nextId('r');
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        state.receipts.delete(receipt);
        reject(
          new TimeoutError(
            `${this.where} did not confirm within ${this.options.operationTimeoutMs} ms while ${doing}. ` +
              'It may or may not have done it; retry (consumers must tolerate duplicates), or raise operationTimeoutMs.',
          ),
        );
      }, this.options.operationTimeoutMs);
      state.receipts.set(receipt, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(toEddyError(error, doing, this.where));
        },
      });
      try {
        send(receipt);
      } catch (error) {
        state.receipts.get(receipt)?.reject(new ConnectionLost(error));
        state.receipts.delete(receipt);
      }
    });
  }

  /** Commits a transaction begun on `session`, resolving once the broker stored all of it. */
  commit(session: Session, transaction: string, doing: string): Promise<void> {
    // stompjs sends COMMIT without headers; written to the same socket, this frame stays in order.
    return this.request(session, doing, (receipt) =>
      session.socket.send(`COMMIT\ntransaction:${transaction}\nreceipt:${receipt}\n\n\0`),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters) waiter.reject(new ClosedError('The ActiveMQ transport'));
    this.#waiters.clear();
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    // DISCONNECT with a receipt: the broker has processed every earlier frame (acks included).
    const graceful = session.client.deactivate();
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, this.options.connectTimeoutMs).unref(),
    );
    await Promise.race([graceful.catch(ignore), deadline]);
    await session.client.deactivate({ force: true }).catch(ignore);
  }

  #connectOnce(): Promise<SessionState> {
    const { host, port, login, passcode, heartbeatMs, connectTimeoutMs } = this.options;
    return new Promise<SessionState>((resolve, reject) => {
      let socket: StompSocket | undefined;
      let stompError: StompErrorFrame | undefined;
      let settled = false;
      const client = new Client({
        webSocketFactory: () => (socket = new StompSocket(host, port)),
        connectHeaders: {
          host,
          ...(login === undefined ? {} : { login }),
          ...(passcode === undefined ? {} : { passcode }),
        },
        heartbeatIncoming: heartbeatMs,
        heartbeatOutgoing: heartbeatMs,
        reconnectDelay: 0,
        discardWebsocketOnCommFailure: true,
        debug: ignore,
      });
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void client.deactivate({ force: true }).catch(ignore);
        reject(toEddyError(error, 'connecting', this.where));
      };
      const timer = setTimeout(
        () =>
          fail(
            new TimeoutError(
              `${this.where} did not complete the STOMP handshake within ${connectTimeoutMs} ms. Check that ` +
                'the port is the STOMP connector (61613 by default), not OpenWire or AMQP, or raise connectTimeoutMs.',
            ),
          ),
        connectTimeoutMs,
      );
      client.onStompError = (frame: IFrame) => {
        stompError = new StompErrorFrame(frame.headers, frame.body);
        if (settled) this.#onStompError(state, stompError);
      };
      const state: SessionState = {
        client,
        get socket() {
          return socket!;
        },
        closed: false,
        receipts: new Map(),
      };
      client.onConnect = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(state);
      };
      client.onUnhandledReceipt = (frame: IFrame) => this.#settleReceipt(state, frame.headers['receipt-id']);
      client.onUnhandledMessage = ignore;
      client.onWebSocketClose = () => {
        const reason = stompError ?? socket?.lastError;
        if (!settled) {
          fail(reason ?? new ConnectionLost(undefined));
          return;
        }
        this.#lost(state, reason);
      };
      client.activate();
    });
  }

  #settleReceipt(state: SessionState, receipt: string | undefined, error?: unknown): void {
    if (receipt === undefined) return;
    const waiter = state.receipts.get(receipt);
    if (waiter === undefined) return;
    state.receipts.delete(receipt);
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }

  #onStompError(state: SessionState, error: StompErrorFrame): void {
    this.#lastError = error;
    // An ERROR answering a command with a receipt fails that command; ActiveMQ then closes the
    // connection, which fails the others and starts a reconnect.
    this.#settleReceipt(state, error.headers['receipt-id'], error);
  }

  #adopt(state: SessionState): void {
    this.#session = state;
    for (const waiter of this.#waiters) waiter.resolve(state);
    this.#waiters.clear();
  }

  #lost(state: SessionState, reason: unknown): void {
    if (state.closed) return;
    state.closed = true;
    if (reason !== undefined) this.#lastError = reason;
    const receipts = [...state.receipts.values()];
    state.receipts.clear();
    for (const waiter of receipts) waiter.reject(new ConnectionLost(reason));
    if (this.#session !== state) return;
    this.#session = undefined;
    if (this.#closed) return;
    this.options.onConnectionEvent({ type: 'disconnected', error: reason });
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    const { initialReconnectDelayMs: baseDelayMs, maxReconnectDelayMs: maxDelayMs } = this.options;
    for (let attempt = 1; !this.#closed; attempt += 1) {
      await new Promise((resolve) =>
        setTimeout(resolve, backoffDelayMs(attempt, { baseDelayMs, maxDelayMs })),
      );
      if (this.#closed) return;
      try {
        const state = await this.#connectOnce();
        if (this.#closed) {
          await state.client.deactivate({ force: true }).catch(ignore);
          return;
        }
        this.#adopt(state);
        this.options.onConnectionEvent({ type: 'reconnected', attempts: attempt });
        for (const listener of this.#listeners) listener(state);
        return;
      } catch (error) {
        this.#lastError = error;
        this.options.onConnectionEvent({ type: 'reconnect-failed', error, attempt });
      }
    }
  }
}

export type { StompHeaders };
