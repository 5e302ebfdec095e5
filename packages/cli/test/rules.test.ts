import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '@eddy/server';
import type { RuleJson, TestPatternResponse } from '@eddy/server/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy } from './run-eddy.js';

let dir: string;
let server: ServerHandle;
const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-rules-'));
  server = await startServer({ port: 0, dataDir: dir, logLevel: 'silent', env: {} });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eddy rules', () => {
  it('puts rules from a file, lists them, deletes one', async () => {
    const file = join(dir, 'rules.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          name: 'big-orders',
          pattern: { type: ['order.placed'], data: { total: [{ numeric: ['>=', 100] }] } },
          targets: [{ id: 'flag', kind: 'topic', topic: 'orders.flagged' }],
        },
        { name: 'refunds', pattern: { type: [{ prefix: 'order.refund' }] }, enabled: false },
      ]),
    );
    const put = await eddy('rules', 'put', file);
    expect(put.stderr).toBe('');
    expect(put.stdout).toBe('created big-orders (version 1)\ncreated refunds (version 1)\n');

    const list = await eddy('rules', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^RULE\s+ENABLED\s+VERSION\s+TARGETS\s+MATCHED\s+DELIVERED\s+FAILED/);
    expect(list.stdout).toMatch(/big-orders\s+yes\s+1\s+flag:topic\s+0\s+0\s+0/);
    expect(list.stdout).toMatch(/refunds\s+no\s+1\s+0\s+0\s+0/);

    expect((await eddy('rules', 'delete', 'refunds')).stdout).toBe('deleted refunds\n');
    const json = await eddy('--json', 'rules', 'list');
    expect((JSON.parse(json.stdout) as RuleJson[]).map((rule) => rule.name)).toEqual(['big-orders']);
  });

  it('reports an invalid rule with the reason and a usage exit code', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', pattern: { type: 'order.placed' } }));
    const result = await eddy('rules', 'put', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/EDDY_INVALID_PATTERN: Invalid event pattern at "type"/);
  });

  it('tests a pattern and a transformer against an event', async () => {
    const result = await eddy(
      '--json',
      'rules',
      'test',
      '--pattern',
      '{"data":{"total":[{"numeric":[">=",100]}]}}',
      '--event',
      '{"type":"order.placed","data":{"orderId":"o-1","total":250}}',
      '--transformer',
      '{"inputPathsMap":{"order":"$.data.orderId"},"inputTemplate":"order <order>"}',
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout) as TestPatternResponse).toEqual({ matched: true, output: 'order o-1' });
    const miss = await eddy('rules', 'test', '--pattern', '{"type":["x"]}', '--event', '{"type":"y"}');
    expect(miss.stdout).toBe('no match\n');
  });
});
