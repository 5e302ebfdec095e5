import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle } from '@eddy/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEddy } from './run-eddy.js';

let dir: string;
let server: ServerHandle;
const suffix = Math.random().toString(36).slice(2, 8);
const eddy = (...args: string[]) => runEddy(['--url', server.url, ...args]);

const record = (fields: object[]) => JSON.stringify({ type: 'record', name: 'Order', fields });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-schemas-'));
  server = await startServer({ port: 0, dataDir: dir, logLevel: 'silent', env: {} });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eddy schemas', () => {
  it('registers idempotently, lists, shows, checks and deletes', async () => {
    const subject = `orders-${suffix}`;
    const v1 = join(dir, 'order-v1.avsc');
    const compatible = join(dir, 'order-v2.avsc');
    const breaking = join(dir, 'order-bad.avsc');
    writeFileSync(v1, record([{ name: 'id', type: 'string' }]));
    writeFileSync(
      compatible,
      record([
        { name: 'id', type: 'string' },
        { name: 'note', type: 'string', default: '' },
      ]),
    );
    writeFileSync(
      breaking,
      record([
        { name: 'id', type: 'string' },
        { name: 'qty', type: 'int' },
      ]),
    );

    const first = await eddy('--json', 'schemas', 'register', subject, v1);
    expect(first.stderr).toBe('');
    const registered = JSON.parse(first.stdout) as { id: number; version: number };
    expect(registered.version).toBe(1);
    const again = await eddy('schemas', 'register', subject, v1);
    expect(again.stdout).toBe(`registered ${subject} version 1 (schema id ${registered.id})\n`);

    const check = await eddy('schemas', 'check', subject, breaking);
    expect(check.code).toBe(7);
    expect(check.stdout).toContain(`incompatible with ${subject}:`);
    expect(check.stdout).toContain('qty');
    const refused = await eddy('schemas', 'register', subject, breaking);
    expect(refused.code).toBe(7);
    const ok = await eddy('schemas', 'check', subject, compatible, '--against', 'latest');
    expect({ code: ok.code, stdout: ok.stdout }).toEqual({ code: 0, stdout: `compatible with ${subject}\n` });
    expect((await eddy('schemas', 'register', subject, compatible)).code).toBe(0);

    const list = await eddy('schemas', 'ls', '--prefix', subject);
    expect(list.stdout).toMatch(/^SUBJECT\s+LATEST\s+ID\s+TYPE\n/);
    expect(list.stdout).toMatch(new RegExp(`${subject}\\s+2\\s+\\d+\\s+AVRO\\n`));
    const shown = await eddy('schemas', 'show', subject, '1');
    expect(shown.stdout).toContain(`subject ${subject}  version 1  id ${registered.id}  type AVRO\n`);
    expect(shown.stdout).toContain('"name": "id"');

    expect((await eddy('schemas', 'delete', subject, '2')).stdout).toBe(
      `soft-deleted ${subject} version(s) 2\n`,
    );
    const gone = await eddy('--json', 'schemas', 'get', subject, '2');
    expect(gone.code).toBe(4);
    expect(JSON.parse(gone.stderr)).toMatchObject({ error: { serverCode: 'REGISTRY_40402' }, exitCode: 4 });
    expect((await eddy('schemas', 'delete', subject)).code).toBe(0);
    const permanent = await eddy('--json', 'schemas', 'delete', subject, '--permanent');
    expect(JSON.parse(permanent.stdout)).toEqual({ subject, versions: [1, 2], permanent: true });
  }, 120_000);

  it('refuses a file whose type it cannot tell, and an invalid schema, with exit 2', async () => {
    const unknown = join(dir, 'schema.txt');
    writeFileSync(unknown, '"string"');
    const untyped = await eddy('schemas', 'register', `x-${suffix}`, unknown);
    expect(untyped.code).toBe(2);
    expect(untyped.stderr).toContain('--type AVRO|JSON|PROTOBUF');
    const invalid = join(dir, 'bad.json');
    writeFileSync(invalid, '{"type": "nonsense"}');
    const refused = await eddy('schemas', 'register', `x-${suffix}`, invalid);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('REGISTRY_42201');
  }, 60_000);
});
