import { Client, type IMessage, type StompHeaders } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';

/**
 * A STOMP client used the plain way, without Eddy: plays the other language's producer or
 * consumer in the interop tests and the member that dies holding a message.
 */
export class RawStomp {
  private counter = 0;

  private constructor(readonly client: Client) {}

  static async connect(port = 61613): Promise<RawStomp> {
    const client = new Client({
      webSocketFactory: () => new TCPWrapper('127.0.0.1', port),
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      reconnectDelay: 0,
      debug: () => undefined,
    });
    await new Promise<void>((resolve, reject) => {
      client.onConnect = () => resolve();
      client.onStompError = (frame) => reject(new Error(frame.headers['message'] ?? 'STOMP error'));
      client.onWebSocketError = () => reject(new Error(`cannot reach 127.0.0.1:${port}`));
      client.activate();
    });
    return new RawStomp(client);
  }

  /** Sends with a receipt and waits for it, so the message is stored when this resolves. */
  send(destination: string, headers: StompHeaders, body: Uint8Array | string): Promise<void> {
    return this.withReceipt((receipt) =>
      this.client.publish({
        destination,
        headers: { ...headers, receipt },
        ...(typeof body === 'string' ? { body } : { binaryBody: body }),
      }),
    );
  }

  /** Subscribes with client-individual acks; the callback acks or not. */
  async subscribe(destination: string, onMessage: (message: IMessage) => void): Promise<void> {
    await this.withReceipt((receipt) =>
      this.client.subscribe(destination, onMessage, { receipt, ack: 'client-individual' }),
    );
  }

  ack(message: IMessage): void {
    message.ack();
  }

  /** Drops the TCP connection without a DISCONNECT, as a crashed process would. */
  async kill(): Promise<void> {
    await this.client.deactivate({ force: true });
  }

  async close(): Promise<void> {
    await this.client.deactivate();
  }

  private withReceipt(send: (receipt: string) => void): Promise<void> {
    this.counter += 1;
    const receipt = `raw-${this.counter}`;
    return new Promise<void>((resolve) => {
      this.client.watchForReceipt(receipt, () => resolve());
      send(receipt);
    });
  }
}
