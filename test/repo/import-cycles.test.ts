// `npm run lint` runs dependency-cruiser with .dependency-cruiser.cjs over every package's sources.
// This proves the rule catches a cycle made only of type imports (the kind TypeScript erases and
// most cycle checkers skip), on a fixture, with the same configuration.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

it('the lint rule refuses an import cycle, type-only imports included', () => {
  const run = spawnSync(
    process.execPath,
    [
      'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
      '--config',
      '.dependency-cruiser.cjs',
      '--include-only',
      '^test/fixtures/import-cycle/',
      'test/fixtures/import-cycle',
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  expect(run.status).not.toBe(0);
  expect(run.stdout).toContain('no-import-cycles');
  expect(run.stdout).toContain('test/fixtures/import-cycle/order.ts');
});
