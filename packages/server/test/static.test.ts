import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '@eddy/server';
import { startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
const site = mkdtempSync(join(tmpdir(), 'eddy-site-'));

beforeAll(async () => {
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>Eddy</title>');
  writeFileSync(join(site, 'favicon.svg'), '<svg/>');
  mkdirSync(join(site, 'assets'));
  writeFileSync(join(site, 'assets', 'app-1234.js'), 'console.log(1)');
  // With API keys: the page itself stays open, the API does not.
  server = await startTestServer({
    staticDir: site,
    apiKeys: [{ id: 'ops', keyHash: hashApiKey('k'), scopes: ['admin'] }],
  });
});
afterAll(async () => {
  await server.close();
  rmSync(site, { recursive: true, force: true });
});

describe('staticDir', () => {
  it('serves the built app at / and its assets, and nothing outside the directory', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>Eddy</title>');
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    expect((await fetch(`${server.url}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    expect((await fetch(`${server.url}/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd`)).status).toBe(404);
    expect((await fetch(`${server.url}/missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/topics`)).status).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
