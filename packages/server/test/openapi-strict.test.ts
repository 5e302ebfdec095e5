import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
let staticDir: string;

beforeAll(async () => {
  // With a dashboard to serve, as `eddy dev` runs it: its static routes must stay out of the document.
  staticDir = mkdtempSync(join(tmpdir(), 'eddy-openapi-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>x</title>');
  server = await startTestServer({ staticDir });
});
afterAll(async () => {
  await server?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('GET /openapi.json', () => {
  it('passes a strict OpenAPI validator and leaves the dashboard files out', async () => {
    const doc = await json<{ paths: Record<string, unknown> }>(await fetch(`${server.url}/openapi.json`));
    expect(Object.keys(doc.paths)).not.toContain('/');
    expect(Object.keys(doc.paths)).not.toContain('/{file}');
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/assets'))).toEqual([]);
    // The dashboard is still served.
    expect((await fetch(`${server.url}/`)).status).toBe(200);

    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors, JSON.stringify(result)).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
