import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, post, startTestServer, unique, type TestServer } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters: { name: string; in: string }[];
        requestBody?: unknown;
        responses: Record<string, unknown>;
      }
    >
  >;
}

describe('GET /metrics', () => {
  it('exposes Prometheus metrics of publishing, consuming and requests', async () => {
    const topic = unique('metered');
    await post(`${server.url}/v1/topics/${topic}/events`, [{ data: 1 }, { data: 2 }]);
    await fetch(`${server.url}/v1/topics/${topic}/groups/g/messages?from=earliest&max=10&wait=5`);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain(`eddy_gateway_events_published_total{topic="${topic}"} 2`);
    expect(text).toMatch(
      new RegExp(`eddy_gateway_messages_delivered_total\\{topic="${topic}",group="g",mode="pull"\\} [12]`),
    );
    expect(text).toContain(
      'eddy_gateway_http_requests_total{method="POST",route="/v1/topics/:topic/events",status="200"}',
    );
    expect(text).toContain('eddy_gateway_process_resident_memory_bytes');
  });
});

describe('GET /openapi.json', () => {
  it('describes every route the server answers', async () => {
    const doc = await json<OpenApi>(await fetch(`${server.url}/openapi.json`));
    expect(doc.openapi).toBe('3.1.0');
    const expected: [string, string][] = [
      ['get', '/health'],
      ['get', '/ready'],
      ['get', '/metrics'],
      ['get', '/openapi.json'],
      ['get', '/v1/info'],
      ['post', '/v1/events'],
      ['post', '/v1/topics/{topic}/events'],
      ['get', '/v1/topics/{topic}/groups/{group}/messages'],
      ['post', '/v1/topics/{topic}/groups/{group}/ack'],
      ['post', '/v1/topics/{topic}/groups/{group}/nack'],
      ['get', '/v1/topics/{topic}/groups/{group}/ws'],
      ['get', '/v1/topics/{topic}/groups/{group}/sse'],
      ['get', '/v1/topics'],
      ['post', '/v1/topics'],
      ['get', '/v1/topics/{topic}'],
      ['get', '/v1/topics/{topic}/messages'],
      ['get', '/v1/topics/{topic}/search'],
      ['get', '/v1/stats/history'],
      ['get', '/v1/groups'],
      ['get', '/v1/topics/{topic}/groups'],
      ['get', '/v1/topics/{topic}/groups/{group}'],
      ['post', '/v1/topics/{topic}/groups/{group}/reset'],
      ['delete', '/v1/topics/{topic}/groups/{group}'],
      ['get', '/v1/dlq'],
      ['get', '/v1/dlq/{topic}/entries'],
      ['get', '/v1/dlq/{topic}/entries/{id}'],
      ['post', '/v1/dlq/{topic}/redrive'],
      ['post', '/v1/dlq/{topic}/purge'],
      ['get', '/v1/sagas'],
      ['get', '/v1/sagas/{id}'],
      ['get', '/v1/outbox/failed'],
      ['post', '/v1/outbox/failed/retry'],
      ['post', '/v1/outbox/failed/discard'],
      ['get', '/v1/flow'],
      ['get', '/v1/flow/events'],
      ['get', '/v1/pipelines'],
      ['get', '/asyncapi.json'],
      ['get', '/registry/'],
      ['get', '/registry/schemas/types'],
      ['get', '/registry/schemas/ids/{id}'],
      ['get', '/registry/schemas/ids/{id}/schema'],
      ['get', '/registry/schemas/ids/{id}/versions'],
      ['get', '/registry/schemas/ids/{id}/subjects'],
      ['get', '/registry/subjects'],
      ['post', '/registry/subjects/{subject}'],
      ['delete', '/registry/subjects/{subject}'],
      ['get', '/registry/subjects/{subject}/versions'],
      ['post', '/registry/subjects/{subject}/versions'],
      ['get', '/registry/subjects/{subject}/versions/{version}'],
      ['delete', '/registry/subjects/{subject}/versions/{version}'],
      ['get', '/registry/subjects/{subject}/versions/{version}/schema'],
      ['get', '/registry/subjects/{subject}/versions/{version}/referencedby'],
      ['post', '/registry/compatibility/subjects/{subject}/versions'],
      ['post', '/registry/compatibility/subjects/{subject}/versions/{version}'],
      ['get', '/registry/config'],
      ['put', '/registry/config'],
      ['delete', '/registry/config'],
      ['get', '/registry/config/{subject}'],
      ['put', '/registry/config/{subject}'],
      ['delete', '/registry/config/{subject}'],
      ['get', '/registry/mode'],
      ['put', '/registry/mode'],
      ['delete', '/registry/mode'],
      ['get', '/registry/mode/{subject}'],
      ['put', '/registry/mode/{subject}'],
      ['delete', '/registry/mode/{subject}'],
      ['get', '/v1/rules'],
      ['get', '/v1/rules/{name}'],
      ['put', '/v1/rules/{name}'],
      ['delete', '/v1/rules/{name}'],
      ['post', '/v1/rules/test'],
      ['get', '/v1/webhooks/endpoints'],
      ['post', '/v1/webhooks/endpoints'],
      ['get', '/v1/webhooks/endpoints/{id}'],
      ['patch', '/v1/webhooks/endpoints/{id}'],
      ['delete', '/v1/webhooks/endpoints/{id}'],
      ['post', '/v1/webhooks/endpoints/{id}/rotate-secret'],
      ['get', '/v1/webhooks/deliveries'],
      ['get', '/v1/webhooks/deliveries/{id}'],
      ['post', '/v1/webhooks/deliveries/{id}/redeliver'],
      ['post', '/v1/webhooks/{source}'],
      ['post', '/v1/requests'],
      ['get', '/v1/requests/{id}'],
      ['get', '/v1/schedules'],
      ['get', '/v1/schedules/{id}'],
      ['put', '/v1/schedules/{id}'],
      ['delete', '/v1/schedules/{id}'],
      ['post', '/v1/schedules/{id}/pause'],
      ['post', '/v1/schedules/{id}/resume'],
      ['get', '/v1/inflight'],
      ['post', '/v1/inflight/{eventId}/cancel'],
      ['get', '/v1/fair-groups'],
      ['get', '/v1/dedupe'],
      ['get', '/v1/topics/{topic}/dedupe'],
    ];
    for (const [method, path] of expected)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(expected.map(([method, path]) => `${method} ${path}`).sort());

    const pull = doc.paths['/v1/topics/{topic}/groups/{group}/messages']!['get']!;
    expect(pull.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:topic', 'path:group', 'query:max', 'query:wait', 'query:from']),
    );
    expect(doc.paths['/v1/topics/{topic}/events']!['post']!.requestBody).toBeDefined();
    expect(doc.paths['/v1/topics/{topic}/groups/{group}/ack']!['post']!.requestBody).toBeDefined();
  });
});
