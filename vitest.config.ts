import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages by name; point every entry of each package's exports map (the
// root and its subpaths) at its `@eddy/source` file, so a test run never depends on a previous build.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
type ExportsMap = Record<string, string | { '@eddy/source'?: string }>;
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(`${packagesDir}${name}/package.json`))
  .flatMap((name) => {
    const manifest = JSON.parse(readFileSync(`${packagesDir}${name}/package.json`, 'utf8')) as {
      name: string;
      exports?: ExportsMap;
    };
    return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
      const source = typeof target === 'string' ? undefined : target['@eddy/source'];
      if (source === undefined) return [];
      const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      const find = new RegExp(`^${specifier.replaceAll('/', '\\/')}$`);
      return [{ find, replacement: `${packagesDir}${name}/${source.slice(2)}` }];
    });
  });

// Files that take up to a minute and a half: broker conformance suites, kill -9 tests, the packaging
// and CLI end-to-end tests. A fresh clone has no timings, so Vitest runs larger files first, and
// these small files came last, where one of them can keep a worker busy alone while the other has
// run out of files. Started first, the short files fill in around them instead.
const SLOW_FILES =
  /\/(conformance|packaging|cli|[a-z-]*(crash|kill)[a-z-]*|cluster-[a-z]+)\.(int\.)?test\.ts$/;

class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return [
      ...sorted.filter((file) => SLOW_FILES.test(file.moduleId)),
      ...sorted.filter((file) => !SLOW_FILES.test(file.moduleId)),
    ];
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one fewer than the CPUs, which on a 2-CPU machine runs every file in
    // turn. Most of the suite's time is spent waiting for brokers, child processes and timers, so
    // two files at once finish it sooner there (939 s against 1,283-1,326 s one at a time). Files
    // that restart a shared broker hold a lock (packages/rabbitmq/test/broker-lock.ts); the other
    // broker suites restart servers of their own.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFilesFirst },
  },
});
