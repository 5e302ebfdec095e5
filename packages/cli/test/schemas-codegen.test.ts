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

/** Type errors of a handler file, compiled with the workspace's sources for @eddy/core. */
function typeErrors(handlerFile = 'handler.ts', eventsFile = 'events.ts'): string[] {
  const core = join(repoRoot, 'packages/core/src');
  const file = join(dir, handlerFile);
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
  return [file, join(dir, eventsFile)].flatMap((name) =>
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

  it('declares a referenced subject once and uses it by name; a change in the referenced schema breaks the handler', async () => {
    const customer = `customer.${suffix}`;
    const money = `money.${suffix}`;
    const placedRef = `order.placed.ref.${suffix}`;
    const charged = `payment.charged.${suffix}`;
    const refunded = `payment.refunded.${suffix}`;
    const customerSchema = (nameField: string) =>
      JSON.stringify({
        // The title names the type; without one, the subject would.
        title: 'Customer',
        type: 'object',
        required: ['id', nameField],
        additionalProperties: false,
        properties: { id: { type: 'string' }, [nameField]: { type: 'string' } },
      });
    await registry('POST', `/subjects/${customer}/versions`, {
      schemaType: 'JSON',
      schema: customerSchema('name'),
    });
    const placedWith = (version: number) => ({
      schemaType: 'JSON',
      schema: JSON.stringify({
        type: 'object',
        required: ['orderId', 'buyer'],
        additionalProperties: false,
        properties: { orderId: { type: 'string' }, buyer: { $ref: 'customer.json' } },
      }),
      references: [{ name: 'customer.json', subject: customer, version }],
    });
    await registry('POST', `/subjects/${placedRef}/versions`, placedWith(1));
    await registry('POST', `/subjects/${money}/versions`, {
      schema: JSON.stringify({
        type: 'record',
        name: 'Money',
        namespace: 'com.acme',
        fields: [
          { name: 'amount', type: 'long' },
          { name: 'currency', type: 'string' },
        ],
      }),
    });
    const payment = (name: string) => ({
      schema: JSON.stringify({
        type: 'record',
        name,
        namespace: 'com.acme',
        fields: [
          { name: 'orderId', type: 'string' },
          { name: 'amount', type: 'com.acme.Money' },
        ],
      }),
      references: [{ name: 'com.acme.Money', subject: money, version: 1 }],
    });
    await registry('POST', `/subjects/${charged}/versions`, payment('Charged'));
    await registry('POST', `/subjects/${refunded}/versions`, payment('Refunded'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(dir, 'handler-refs.ts'),
      `
import { createBus } from '@eddy/core';
import { createMemoryTransport } from '@eddy/core/testing';
import type { Customer, Events, Money } from './events-refs.js';

const bus = createBus<Events>({ transport: createMemoryTransport() });
export const seen: string[] = [];
const greet = (customer: Customer): string => customer.name.toUpperCase();
const show = (money: Money): string => \`\${money.amount} \${money.currency}\`;
bus.on(${JSON.stringify(placedRef)}, (event) => {
  seen.push(event.data.orderId + greet(event.data.buyer));
});
bus.on(${JSON.stringify(charged)}, (event) => {
  seen.push(show(event.data.amount));
});
bus.on(${JSON.stringify(refunded)}, (event) => {
  seen.push(show(event.data.amount));
});
`,
    );
    const out = join(dir, 'events-refs.ts');
    const codegen = () =>
      runEddy([
        '--url',
        server.url,
        'schemas',
        'codegen',
        '--out',
        out,
        '--subjects',
        `${placedRef},${charged},${refunded}`,
      ]);

    const first = await codegen();
    expect(first.stderr).toBe('');
    const generated = readFileSync(out, 'utf8');
    // The referenced types, once each, used by name.
    expect(generated.match(/^export interface Customer\b/gm)).toHaveLength(1);
    expect(generated.match(/^export interface Money\b/gm)).toHaveLength(1);
    expect(generated).toMatch(/buyer: Customer;/);
    expect(generated.match(/amount: Money;/g)).toHaveLength(2);
    expect(generated).not.toMatch(/: unknown;/);
    expect(typeErrors('handler-refs.ts', 'events-refs.ts')).toEqual([]);

    // The referenced subject renames name to fullName; the referencing schema moves to that version.
    // Incompatible for both subjects (the registry checks the referencing one through its reference).
    await registry('PUT', `/config/${customer}`, { compatibility: 'NONE' });
    await registry('PUT', `/config/${placedRef}`, { compatibility: 'NONE' });
    await registry('POST', `/subjects/${customer}/versions`, {
      schemaType: 'JSON',
      schema: customerSchema('fullName'),
    });
    await registry('POST', `/subjects/${placedRef}/versions`, placedWith(2));
    const second = await codegen();
    expect(second.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('fullName: string;');
    const errors = typeErrors('handler-refs.ts', 'events-refs.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("Property 'name' does not exist on type 'Customer'");
  }, 120_000);
});
