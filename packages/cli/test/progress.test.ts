import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type Io } from '@eddy/cli';
import { startServer, type ServerHandle } from '@eddy/server';
import { afterAll, beforeAll, expect, it } from 'vitest';

let dir: string;
let server: ServerHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-cli-progress-'));
  server = await startServer({ port: 0, dataDir: dir, logLevel: 'silent' });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Output streams that claim to be a terminal, so progress bars are drawn. */
function terminal(): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text), isTTY: true },
      stderr: { write: (text: string) => (err += text), isTTY: true, columns: 100 } as Io['stderr'],
    },
    out: () => out,
    err: () => err,
  };
}

it('draws a progress bar on a terminal for a bulk publish, and none with --json', async () => {
  const topic = `progress-${Math.random().toString(36).slice(2, 8)}`;
  const file = join(dir, 'many.jsonl');
  writeFileSync(file, Array.from({ length: 120 }, (_, n) => JSON.stringify({ n })).join('\n'));

  const shown = terminal();
  expect(
    await runCli(['--url', server.url, 'publish', topic, '--file', file, '--batch-size', '10'], {
      io: shown.io,
    }),
  ).toBe(0);
  expect(shown.err()).toContain('publishing [');
  expect(shown.err()).toContain('120/120');
  expect(shown.out()).toBe(`published 120 events to ${topic}\n`);

  const quiet = terminal();
  expect(
    await runCli(['--url', server.url, '--json', 'publish', topic, '--file', file], { io: quiet.io }),
  ).toBe(0);
  expect(quiet.err()).toBe('');
  expect((JSON.parse(quiet.out()) as { published: number }).published).toBe(120);
});
