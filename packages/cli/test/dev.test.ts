import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, runEddy, spawnEddy } from './run-eddy.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface TopicsBody {
  topics: { name: string; messages: number }[];
}

describe('eddy dev --demo', () => {
  it('serves the gateway and the dashboard, produces the order flow with dead letters, stops on SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eddy-dev-'));
    const dashboardDir = mkdtempSync(join(tmpdir(), 'eddy-dashboard-dist-'));
    dirs.push(dataDir, dashboardDir);
    mkdirSync(join(dashboardDir, 'assets'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><title>Eddy test dashboard</title>');
    writeFileSync(join(dashboardDir, 'assets', 'app-1234.js'), 'console.log("dashboard")');

    const child = spawnEddy([
      'dev',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--dashboard-dir',
      dashboardDir,
      '--demo',
      '--demo-interval-ms',
      '100',
      '--demo-failure-rate',
      '0.5',
      '--rules-from',
      'order.placed',
    ]);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The banner is written line by line, and a pipe may hand them over in several chunks.
      const url = await eventually(
        async () =>
          stdout.includes('Press Ctrl+C to stop.') ? /server on (http:\/\/\S+)/.exec(stdout)?.[1] : undefined,
        'the whole banner',
      );
      expect(stdout).toContain(`dashboard  ${url}/`);
      expect(stdout).toContain('rules      running on order.placed');
      // A rule stored through the API runs in this process against the demo's orders.
      const rule = await fetch(`${url}/v1/rules/copy-orders`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pattern: { type: ['order.placed'] },
          targets: [{ id: 'copy', kind: 'topic', topic: 'orders.copied' }],
        }),
      });
      expect(rule.status).toBe(201);

      const index = await fetch(`${url}/`);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(await index.text()).toContain('Eddy test dashboard');
      const asset = await fetch(`${url}/assets/app-1234.js`);
      expect(asset.headers.get('content-type')).toContain('text/javascript');
      expect(asset.headers.get('cache-control')).toContain('immutable');
      const escape = await fetch(
        `${url}/assets/..%2f..%2f..%2f${encodeURIComponent(dataDir.slice(1))}%2f.eddy%2feddy.db`,
      );
      expect(escape.status).toBe(404);
      expect((await fetch(`${url}/health`)).status).toBe(200);

      const topics = await eventually(async () => {
        const body = (await (await fetch(`${url}/v1/topics`)).json()) as TopicsBody;
        const count = (name: string) => body.topics.find((topic) => topic.name === name)?.messages ?? 0;
        return count('order.shipped') > 0 && count('order.placed.dlq') > 0 && count('orders.copied') > 0
          ? body
          : undefined;
      }, 'shipped orders, a dead-lettered payment and orders copied by the rule');
      expect(topics.topics.map((topic) => topic.name)).toEqual(
        expect.arrayContaining(['order.placed', 'payment.captured', 'inventory.reserved', 'order.shipped']),
      );

      const port = new URL(url).port;
      const taken = await runEddy(['dev', '--port', port, '--data-dir', dataDir, '--no-dashboard']);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toContain(`Port ${port} on 127.0.0.1 is taken`);

      // The dead-lettered payment redrives cleanly from the CLI: the demo declines an order only once.
      const redrive = await runEddy(['--url', url, '--json', 'dlq', 'redrive', 'order.placed']);
      expect(redrive.code).toBe(0);
      expect((JSON.parse(redrive.stdout) as { redriven: number }).redriven).toBeGreaterThan(0);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
