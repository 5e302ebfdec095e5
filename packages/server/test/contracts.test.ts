import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, post, startTestServer, unique, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const order = {
  type: 'object',
  required: ['id', 'total'],
  properties: { id: { type: 'string', minLength: 3 }, total: { type: 'number', minimum: 0 } },
};

interface Stored {
  event: { type: string; data: unknown; dataschema?: string } | null;
}

async function storedEvents(topic: string): Promise<Stored['event'][]> {
  const response = await fetch(`${server.url}/v1/topics/${topic}/messages?partition=0&limit=100`);
  if (response.status === 404) return [];
  return (await json<{ messages: Stored[] }>(response)).messages.map((message) => message.event);
}

describe('data contracts at the gateway', () => {
  it('publishes events matching their type’s schema with dataschema, and refuses others with 422 naming each failing path', async () => {
    const type = unique('contract.order');
    const topic = unique('contracts');
    const created = await post(`${server.url}/v1/topics`, { name: topic, partitions: 1 });
    expect(created.status).toBeLessThan(300);
    const registered = await post(`${server.url}/registry/subjects/${type}/versions`, {
      schemaType: 'JSON',
      schema: JSON.stringify(order),
    });
    expect(registered.status).toBe(200);

    const ok = await post(`${server.url}/v1/topics/${topic}/events`, { type, data: { id: 'o-1', total: 3 } });
    expect(ok.status).toBe(200);
    const refused = await post(`${server.url}/v1/topics/${topic}/events`, [
      { type, data: { id: 'o-2', total: 1 } },
      { type, data: { id: 'o', total: -1 } },
    ]);
    expect(refused.status).toBe(422);
    const problem = await json<{ error: { code: string; message: string } }>(refused);
    expect(problem.error.code).toBe('EDDY_SCHEMA_VIOLATION');
    expect(problem.error.message).toContain('/id must NOT have fewer than 3 characters');
    expect(problem.error.message).toContain('/total must be >= 0');
    // A structured-mode CloudEvent goes through the same check.
    const structured = await fetch(`${server.url}/v1/topics/${topic}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 'ce-1', source: '/test', type, data: { id: 12 } }),
    });
    expect(structured.status).toBe(422);
    // A type without a subject is published unchecked.
    const unbound = await post(`${server.url}/v1/topics/${topic}/events`, { type: 'other', data: 'x' });
    expect(unbound.status).toBe(200);

    // Nothing of the refused batch was written.
    const stored = await storedEvents(topic);
    expect(stored.map((event) => [event?.type, event?.data, event?.dataschema])).toEqual([
      [type, { id: 'o-1', total: 3 }, `urn:eddy:registry/subjects/${type}/versions/1`],
      ['other', 'x', undefined],
    ]);
  });

  it('can be turned off', async () => {
    const plain = await startTestServer({ contracts: false });
    try {
      const type = unique('contract.off');
      await post(`${plain.url}/registry/subjects/${type}/versions`, {
        schemaType: 'JSON',
        schema: JSON.stringify(order),
      });
      const response = await post(`${plain.url}/v1/topics/${unique('off')}/events`, { type, data: {} });
      expect(response.status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

describe('GET /asyncapi.json', () => {
  it('describes the topics and registered event types, and validates with @asyncapi/parser', async () => {
    const type = unique('asyncapi.order');
    const topic = unique('asyncapi-topic');
    await post(`${server.url}/registry/subjects/${type}/versions`, {
      schemaType: 'JSON',
      schema: JSON.stringify(order),
    });
    expect((await post(`${server.url}/v1/topics/${topic}/events`, { type: 'other', data: 1 })).status).toBe(
      200,
    );
    const document = await json<{ channels: Record<string, { address: string }> }>(
      await fetch(`${server.url}/asyncapi.json`),
    );
    expect(document.channels[topic]?.address).toBe(topic);
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(
      diagnostics
        .filter((diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error))
        .map((d) => d.message),
    ).toEqual([]);
    // The type routes to the topic named after it, where its message is.
    expect(
      parsed
        ?.channels()
        .get(type)
        ?.messages()
        .all()
        .map((message) => message.name()),
    ).toEqual([type]);
    expect(parsed?.servers().get('gateway')?.host()).toBe(new URL(server.url).host);
  });
});
