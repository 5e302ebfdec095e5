import { randomBytes } from 'node:crypto';
import type { ProblemBody, RuleListResponse, RuleResponse, TestPatternResponse } from '@eddy/server/api';
import { createMemoryRuleStore } from '@eddy/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, post, startTestServer, unique, type TestServer } from './helpers.js';

function put(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('rule routes on the embedded SQLite store', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('creates, reads, lists, replaces and deletes a rule', async () => {
    const name = unique('big-orders');
    const url = `${server.url}/v1/rules/${name}`;
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const rule = {
      pattern: { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } },
      targets: [
        { id: 'flag', kind: 'topic', topic: 'orders.flagged' },
        { id: 'hook', kind: 'webhook', url: 'https://hooks.example.com/x', secret },
      ],
      description: 'big ones',
    };
    const created = await put(url, rule);
    expect(created.status).toBe(201);
    const body = await json<RuleResponse>(created);
    expect(body.rule).toMatchObject({
      name,
      enabled: true,
      version: 1,
      counts: { matched: 0, delivered: 0, failed: 0 },
      targets: [rule.targets[0], { ...rule.targets[1], secret: 'whsec_********' }],
    });
    expect(Date.parse(body.rule.createdAt)).toBeGreaterThan(0);

    expect((await json<RuleResponse>(await fetch(url))).rule.pattern).toEqual(rule.pattern);
    const list = await json<RuleListResponse>(await fetch(`${server.url}/v1/rules`));
    expect(list.rules.map((r) => r.name)).toContain(name);

    const replaced = await put(url, { ...rule, enabled: false });
    expect(replaced.status).toBe(200);
    expect((await json<RuleResponse>(replaced)).rule).toMatchObject({ version: 2, enabled: false });

    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
    const gone = await fetch(url);
    expect(gone.status).toBe(404);
    expect((await json<ProblemBody>(gone)).error.code).toBe('EDDY_NOT_FOUND');
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses invalid rules with 400 and the reason, storing nothing', async () => {
    const name = unique('bad');
    const url = `${server.url}/v1/rules/${name}`;
    const cases: [unknown, string, RegExp][] = [
      [{ pattern: { type: 'order.placed' } }, 'EDDY_INVALID_PATTERN', /at "type"/],
      [{ pattern: { type: [{ numeric: ['>', 'x'] }] } }, 'EDDY_INVALID_PATTERN', /numeric/],
      [
        {
          pattern: { type: ['a'] },
          targets: [
            { id: 't', kind: 'topic', topic: 'x', inputTransformer: { inputTemplate: '{"a": <nope>}' } },
          ],
        },
        'EDDY_INVALID_TRANSFORMER',
        /nope/,
      ],
      [
        { pattern: { type: ['a'] }, targets: [{ id: 't', kind: 'email' }] },
        'EDDY_INVALID_RULE',
        /targets\[0\]\.kind/,
      ],
      [{ name: 'other', pattern: { type: ['a'] } }, 'EDDY_INVALID_RULE', /differs/],
      [
        {
          pattern: { type: ['a'] },
          targets: [{ id: 'h', kind: 'webhook', url: 'https://x.example', secret: 'whsec_********' }],
        },
        'EDDY_INVALID_RULE',
        /secret/,
      ],
    ];
    for (const [body, code, message] of cases) {
      const response = await put(url, body);
      const problem = await json<ProblemBody>(response);
      expect({ status: response.status, code: problem.error.code }).toEqual({ status: 400, code });
      expect(problem.error.message).toMatch(message);
    }
    expect((await put(`${server.url}/v1/rules/has%20space`, { pattern: { type: ['a'] } })).status).toBe(400);
    expect((await fetch(url)).status).toBe(404);
  });

  it('tests a pattern and a transformer against a CloudEvent or plain JSON', async () => {
    const event = {
      specversion: '1.0',
      id: 'e-1',
      source: '/shop',
      type: 'order.placed',
      datacontenttype: 'application/json',
      data: { orderId: 'o-1', total: 250 },
    };
    const pattern = { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } };
    const matched = await json<TestPatternResponse>(
      await post(`${server.url}/v1/rules/test`, {
        pattern,
        event,
        inputTransformer: {
          inputPathsMap: { order: '$.data.orderId' },
          inputTemplate: '{"order": <order>, "rule": <eddy.rule-name>}',
        },
        ruleName: 'big',
      }),
    );
    expect(matched).toEqual({ matched: true, output: { order: 'o-1', rule: 'big' } });
    const missed = await json<TestPatternResponse>(
      await post(`${server.url}/v1/rules/test`, {
        pattern: JSON.stringify(pattern),
        event: { type: 'order.placed', data: { total: 5 } },
      }),
    );
    expect(missed).toEqual({ matched: false });
    const invalid = await post(`${server.url}/v1/rules/test`, {
      pattern: { data: { total: [{ numeric: ['>'] }] } },
      event,
    });
    expect(invalid.status).toBe(400);
    expect((await json<ProblemBody>(invalid)).error.code).toBe('EDDY_INVALID_PATTERN');
    const badEvent = await post(`${server.url}/v1/rules/test`, {
      pattern,
      event: { ...event, specversion: '0.1' },
    });
    expect(badEvent.status).toBe(400);
  });
});

describe('rule routes with a given store', () => {
  it('serves the store it is given', async () => {
    const rules = createMemoryRuleStore();
    await rules.put({ name: 'given', pattern: { type: ['x'] } });
    const server = await startTestServer({ rules });
    try {
      const list = await json<RuleListResponse>(await fetch(`${server.url}/v1/rules`));
      expect(list.rules.map((rule) => rule.name)).toEqual(['given']);
    } finally {
      await server.close();
    }
  });
});

describe('rule engine in the gateway', () => {
  it('runs the stored rules against the topics EDDY_RULE_SOURCES names, counting per rule', async () => {
    const source = unique('orders');
    const flagged = unique('flagged');
    const server = await startTestServer({ env: { EDDY_RULE_SOURCES: ` ${source} , ` } });
    try {
      expect(server.handle.server.options.ruleSources).toEqual([source]);
      const created = await put(`${server.url}/v1/rules/big`, {
        pattern: { data: { total: [{ numeric: ['>=', 100] }] } },
        targets: [{ id: 'flag', kind: 'topic', topic: flagged, type: 'order.flagged' }],
      });
      expect(created.status).toBe(201);
      const published = await post(`${server.url}/v1/topics/${source}/events`, [
        { type: 'order.placed', data: { total: 250 } },
        { type: 'order.placed', data: { total: 5 } },
      ]);
      expect(published.status).toBe(200);

      // Every event stored on the flagged topic, whichever partition it landed in.
      const flaggedEvents = async (): Promise<{ type: string; data: unknown }[]> => {
        const topic = await json<{ topic: { partitionInfo: { partition: number }[] } }>(
          await fetch(`${server.url}/v1/topics/${flagged}`),
        );
        const events: { type: string; data: unknown }[] = [];
        for (const { partition } of topic.topic.partitionInfo) {
          const response = await fetch(`${server.url}/v1/topics/${flagged}/messages?partition=${partition}`);
          const body = await json<{ messages: { event: { type: string; data: unknown } | null }[] }>(
            response,
          );
          for (const message of body.messages) if (message.event !== null) events.push(message.event);
        }
        return events;
      };
      const rule = async () => (await json<RuleResponse>(await fetch(`${server.url}/v1/rules/big`))).rule;
      const deadline = Date.now() + 15_000;
      while ((await rule()).counts.delivered < 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await rule()).counts).toEqual({ matched: 1, delivered: 1, failed: 0 });
      expect(await flaggedEvents()).toEqual([
        expect.objectContaining({ type: 'order.flagged', data: { total: 250 } }),
      ]);
    } finally {
      await server.close();
    }
  });

  it('refuses to run rules without a rule store', async () => {
    const { createMemoryTransport } = await import('@eddy/core/testing');
    const transport = createMemoryTransport();
    try {
      const error = await startTestServer({ transport, ruleEngine: { sources: ['orders'] } }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'EDDY_INVALID_OPTION' });
      expect((error as Error).message).toMatch(/needs a rule store/);
    } finally {
      await transport.close();
    }
  });
});
