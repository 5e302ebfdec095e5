import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEvent, CloudEventInput, ReceivedMessage, Subscription, Transport } from '@eddy/core';
import { createCloudEvent, decodeCloudEvent, encodeCloudEvent } from '@eddy/core/cloudevents';

/** A fresh directory for database files. */
export function tempDir(): { file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-rules-'));
  return { file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Publishes one event per input (binary mode, keyed by `partitionkey`), returning the events. */
export async function publishEvents(
  transport: Transport,
  topic: string,
  inputs: readonly ({ readonly type: string } & Partial<CloudEventInput>)[],
): Promise<CloudEvent[]> {
  const events = inputs.map((input) => createCloudEvent({ source: '/shop', ...input }));
  await transport.publish(
    topic,
    events.map((event) => ({
      ...encodeCloudEvent(event),
      ...(typeof event.partitionkey === 'string' ? { key: event.partitionkey } : {}),
    })),
  );
  return events;
}

/** Everything published to a topic from the start, as received (with the decoded event). */
export async function collect(
  transport: Transport,
  topic: string,
): Promise<{ messages: { message: ReceivedMessage; event: CloudEvent }[]; subscription: Subscription }> {
  const messages: { message: ReceivedMessage; event: CloudEvent }[] = [];
  const subscription = await transport.subscribe(
    topic,
    { group: unique('reader'), from: 'earliest' },
    (message) => {
      messages.push({ message, event: decodeCloudEvent(message) });
    },
  );
  return { messages, subscription };
}

/** A local HTTP endpoint recording every POST and answering with `status()`. */
export async function webhookReceiver(status: () => number = () => 204): Promise<{
  url: string;
  requests: { headers: IncomingHttpHeaders; body: string }[];
  close: () => Promise<void>;
}> {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = status();
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
