import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '@eddy/server';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runEddy } from './run-eddy.js';

let dir: string;
let server: ServerHandle;
const suffix = Math.random().toString(36).slice(2, 8);
const placed = `order.placed.${suffix}`;
const shipped = `order.shipped.${suffix}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-codegen-'));
  server = await startServer({ port: 0, dataDir: dir, logLevel: 'silent', env: {} });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function registry(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${server.url}/registry${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

const shipment = (carrierField: string) =>
  JSON.stringify({
    type: 'record',
    name: 'Shipment',
    fields: [
      { name: 'orderId', type: 'string' },
      { name: 'qty', type: 'int' },
      { name: carrierField, type: 'string' },
    ],
  });

// A handler written against the generated map, through createBus<Events> as an application would.
const handler = `
import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import type { Events } from './events.js';

const bus = createBus<Events>({ transport: createMemoryTransport() });
export const labels: string[] = [];
bus.on(${JSON.stringify(shipped)}, (event) => {
  labels.push(\`\${event.data.orderId} x\${event.data.qty + 1} via \${event.data.carrier.toUpperCase()}\`);
});
bus.on(${JSON.stringify(placed)}, (event) => {
  const total: number = event.data.total;
  labels.push(event.data.id + String(total));
});
`;

/** Type errors of the handler file, compiled with the workspace's sources for @eddy/core. */
function typeErrors(): string[] {
  const core = join(repoRoot, 'packages/core/src');
  const file = join(dir, 'handler.ts');
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules/@types')],
    paths: {
      '@eddy/core': [join(core, 'index.ts')],
      '@eddy/core/testing': [join(core, 'testing.ts')],
    },
  });
  // Only the handler and the generated module are checked; the core sources are checked elsewhere.
  return [file, join(dir, 'events.ts')].flatMap((name) =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(name))
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
  );
}

describe('eddy schemas codegen', () => {
  it('writes an Events map a handler compiles against, and the handler stops compiling when the schema renames its field', async () => {
    await registry('POST', `/subjects/${placed}/versions`, {
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        required: ['id', 'total'],
        additionalProperties: false,
        properties: { id: { type: 'string' }, total: { type: 'number' }, note: { type: 'string' } },
      }),
    });
    await registry('POST', `/subjects/${shipped}/versions`, { schema: shipment('carrier') });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'handler.ts'), handler);
    const out = join(dir, 'events.ts');

    const first = await runEddy([
      '--url',
      server.url,
      'schemas',
      'codegen',
      '--out',
      out,
      '--subjects',
      `${placed},${shipped}`,
    ]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`wrote 2 event type(s) to ${out}\n`);
    const generated = readFileSync(out, 'utf8');
    expect(generated).toContain(`"${shipped}": OrderShipped`);
    expect(generated).toContain('carrier: string;');
    expect(typeErrors()).toEqual([]);

    // Version 2 renames carrier to shipper: incompatible, so registered under NONE.
    await registry('PUT', `/config/${shipped}`, { compatibility: 'NONE' });
    await registry('POST', `/subjects/${shipped}/versions`, { schema: shipment('shipper') });
    const second = await runEddy([
      '--url',
      server.url,
      'schemas',
      'codegen',
      '--out',
      out,
      '--subjects',
      placed,
      '--subjects',
      shipped,
    ]);
    expect(second.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(`Subject ${shipped} version 2.`);
    const errors = typeErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("Property 'carrier' does not exist on type 'OrderShipped");
  }, 60_000);
});
