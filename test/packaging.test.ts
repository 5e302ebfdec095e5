import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Eddy as a user gets it: every publishable package built, packed with `npm pack`, linted as a
 * tarball (publint, arethetypeswrong), installed from the tarballs into an empty project, then
 * `npx eddy dev` serving the gateway and the dashboard, every export of every package imported by
 * Node, and a TypeScript consumer type-checked against the installed declarations.
 */

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** Generous: the build, the pack, the install and the type-check each take tens of seconds on a busy machine. */
const STEP_TIMEOUT_MS = 600_000;

interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  types?: string;
  exports?: Record<string, unknown>;
  imports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  files?: string[];
  engines?: { node?: string };
  bin?: Record<string, string>;
  publishConfig?: { access?: string };
}

const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

const workspaceDirs = (parent: string): string[] =>
  readdirSync(join(repoRoot, parent))
    .map((name) => join(repoRoot, parent, name))
    .filter((dir) => existsSync(join(dir, 'package.json')));

const packageDirs = workspaceDirs('packages');
const publishable = packageDirs.filter((dir) => readManifest(dir).private !== true);

/** The environment of child npm and node processes, without what `npm test` exported for itself. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') && name !== 'NODE_OPTIONS') env[name] = value;
  }
  return env;
}

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: childEnv(), maxBuffer: 64 * 1024 * 1024, timeout: STEP_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else
          reject(
            new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, {
              cause: error,
            }),
          );
      },
    );
  });
}

/** Runs `task` over `items`, at most `limit` at a time, in order of the items. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every condition name used anywhere in an exports or imports map. */
function conditionsOf(map: unknown): string[] {
  if (typeof map !== 'object' || map === null) return [];
  return Object.entries(map).flatMap(([key, value]) => [
    ...(key.startsWith('.') || key.startsWith('#') ? [] : [key]),
    ...conditionsOf(value),
  ]);
}

const temps: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};

let tarballs: { name: string; manifest: Manifest; path: string }[] = [];

beforeAll(async () => {
  // Incremental: a no-op when `npm run build` already ran (as in CI), a full build on a fresh clone.
  await run('npm', ['run', 'build'], repoRoot);
  const packDir = tempDir('eddy-pack-');
  const packed = JSON.parse(
    await run(
      'npm',
      ['pack', '--json', '--pack-destination', packDir, ...publishable.flatMap((dir) => ['-w', dir])],
      repoRoot,
    ),
  ) as { name: string; filename: string; files: { path: string }[] }[];
  tarballs = packed.map((entry) => {
    const dir = publishable.find((candidate) => readManifest(candidate).name === entry.name);
    if (dir === undefined) throw new Error(`npm pack returned an unknown package ${entry.name}`);
    return { name: entry.name, manifest: readManifest(dir), path: join(packDir, entry.filename) };
  });
}, STEP_TIMEOUT_MS);

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('package manifests', () => {
  it('publishes every package but the examples, ESM-only, with ranges between them', () => {
    expect(readManifest(repoRoot).private).toBe(true);
    for (const dir of workspaceDirs('examples')) expect(readManifest(dir).private, dir).toBe(true);
    expect(publishable.map((dir) => readManifest(dir).name).sort()).toEqual(
      packageDirs.map((dir) => readManifest(dir).name).sort(),
    );
    expect(tarballs.map((tarball) => tarball.name).sort()).toEqual(
      publishable.map((dir) => readManifest(dir).name).sort(),
    );
    for (const { name, manifest } of tarballs) {
      expect(manifest.engines?.node, name).toBe('>=20');
      expect(
        manifest.publishConfig?.access,
        `${name}: a scoped package is private unless published public`,
      ).toBe('public');
      expect(manifest.exports?.['./package.json'], name).toBe('./package.json');
      for (const field of ['dependencies', 'peerDependencies', 'devDependencies'] as const) {
        for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
          if (dependency.startsWith('@eddy/')) expect(range, `${name} ${field} ${dependency}`).toMatch(/^\^/);
        }
      }
    }
    expect(tarballs.find((tarball) => tarball.name === '@eddy/cli')?.manifest.bin).toEqual({
      eddy: './bin/eddy.js',
    });
    expect(tarballs.find((tarball) => tarball.name === '@eddy/cli')?.manifest.dependencies).toHaveProperty(
      '@eddy/dashboard',
    );
  });

  it('names its source condition @eddy/source, never a bare "source" a consumer may enable for itself', () => {
    for (const dir of [...packageDirs, ...workspaceDirs('examples')]) {
      const manifest = readManifest(dir);
      const conditions = [...conditionsOf(manifest.exports), ...conditionsOf(manifest.imports)];
      expect(conditions, `${manifest.name}: use "@eddy/source" for the TypeScript sources`).not.toContain(
        'source',
      );
    }
  });

  it('packs only what a user needs: no build info, no tests', { timeout: STEP_TIMEOUT_MS }, async () => {
    const listing = await run(
      'npm',
      ['pack', '--dry-run', '--json', ...publishable.flatMap((dir) => ['-w', dir])],
      repoRoot,
    );
    const packed = JSON.parse(listing) as { name: string; files: { path: string }[] }[];
    for (const { name, files } of packed) {
      const paths = files.map((file) => file.path);
      expect(paths, name).toContain('package.json');
      expect(paths, name).toContain('README.md');
      expect(
        paths.filter((path) => path.endsWith('.tsbuildinfo') || path.startsWith('test/')),
        name,
      ).toEqual([]);
    }
  });
});

describe('linting the tarballs', () => {
  it('publint finds no error or warning', async () => {
    const problems: string[] = [];
    for (const { name, path } of tarballs) {
      const data = readFileSync(path);
      const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      const { messages, pkg } = await publint({ pack: { tarball }, level: 'warning', strict: true });
      for (const message of messages) {
        problems.push(`${name}: ${message.code} ${formatMessage(message, pkg, { color: false }) ?? ''}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(
    'arethetypeswrong finds no problem for ESM consumers (node16 from ESM, bundler)',
    async () => {
      // The dashboard ships built browser assets and no JavaScript or types to import: nothing to check.
      const typed = tarballs.filter((tarball) => tarball.manifest.types !== undefined);
      expect(typed.length).toBe(tarballs.length - 1);
      const attw = join(repoRoot, 'node_modules', '.bin', 'attw');
      const failures = await mapLimited(typed, 3, async ({ name, path }) => {
        try {
          await run(
            attw,
            [path, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
            repoRoot,
          );
          return undefined;
        } catch (error) {
          return `${name}: ${(error as Error).message}`;
        }
      });
      expect(failures.filter((failure) => failure !== undefined)).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});

describe('installed from the tarballs into an empty project', () => {
  let project: string;
  let dev: ChildProcess | undefined;

  beforeAll(async () => {
    project = tempDir('eddy-consumer-');
    await run('npm', ['init', '-y'], project);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...manifest, type: 'module' }, null, 2));
    // Third-party dependencies come from the registry, preferably through the npm cache. Install
    // scripts are skipped: the only one that matters is better-sqlite3's native build, handled below.
    await run(
      'npm',
      [
        'install',
        ...tarballs.map((tarball) => tarball.path),
        '@types/node@^20',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
      ],
      project,
    );
    // better-sqlite3 normally downloads or compiles its addon at install (minutes of C). The same
    // version built for the same Node in this repository's node_modules is that very addon; any
    // other version is built here for real.
    const installed = join(project, 'node_modules', 'better-sqlite3');
    const workspace = join(repoRoot, 'node_modules', 'better-sqlite3');
    const versionOf = (dir: string) =>
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const addon = join('build', 'Release', 'better_sqlite3.node');
    if (versionOf(installed) === versionOf(workspace) && existsSync(join(workspace, addon))) {
      mkdirSync(join(installed, 'build', 'Release'), { recursive: true });
      copyFileSync(join(workspace, addon), join(installed, addon));
    } else {
      await run('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts'], project);
    }
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await stop(dev);
  });

  it(
    '`npx eddy dev` answers /health and serves the dashboard at /',
    async () => {
      const dataDir = tempDir('eddy-consumer-data-');
      // Its own process group, so stopping it stops npx and the eddy process it runs.
      dev = spawn('npx', ['--no', 'eddy', 'dev', '--port', '0', '--data-dir', dataDir], {
        cwd: project,
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const url = await bannerUrl(dev);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });

      const index = await fetch(`${url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toContain('text/html');
      const html = await index.text();
      expect(html).toBe(
        readFileSync(join(project, 'node_modules', '@eddy', 'dashboard', 'dist', 'index.html'), 'utf8'),
      );
      const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, 'index.html loads a bundled script').toBeDefined();
      expect((await fetch(`${url}${script!}`)).status).toBe(200);

      await stop(dev);
      dev = undefined;
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'Node loads every export of every package',
    async () => {
      const specifiers = tarballs.flatMap(({ name, manifest }) =>
        Object.keys(manifest.exports ?? {})
          .filter((subpath) => subpath !== './package.json')
          .map((subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`)),
      );
      expect(specifiers).toContain('@eddy/server/api');
      // @eddy/conformance is a Vitest suite, loadable only inside a Vitest run: resolved, not imported.
      // The dashboard has no module at all; its package.json is how the CLI finds its files.
      const script = `
        const specifiers = ${JSON.stringify(specifiers)};
        for (const specifier of specifiers) {
          if (specifier.startsWith('@eddy/conformance')) import.meta.resolve(specifier);
          else await import(specifier);
        }
        const { createRequire } = await import('node:module');
        createRequire(import.meta.url).resolve('@eddy/dashboard/package.json');
        console.log('loaded', specifiers.length);
      `;
      writeFileSync(join(project, 'import-all.mjs'), script);
      expect(await run(process.execPath, ['import-all.mjs'], project)).toContain(
        `loaded ${specifiers.length}`,
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a TypeScript consumer type-checks against the declarations (`types` condition)',
    async () => {
      writeFileSync(
        join(project, 'consumer.ts'),
        [
          "import { createBus, type Bus, type Transport } from '@eddy/core';",
          "import { createMemoryTransport, deciderSpecification } from '@eddy/core/testing';",
          "import { createSqliteTransport, type SqliteTransport } from '@eddy/sqlite';",
          '',
          "interface Events { 'order.placed': { orderId: string; total: number } }",
          '',
          'const memory: Transport = createMemoryTransport();',
          "const durable: SqliteTransport = createSqliteTransport({ path: ':memory:' });",
          "const bus: Bus<Events> = createBus<Events>({ transport: memory, group: 'shop' });",
          "bus.on('order.placed', (event) => {",
          '  const total: number = event.data.total;',
          '  void total;',
          '});',
          "await bus.publish('order.placed', { orderId: 'o-1', total: 42 });",
          'export { durable, deciderSpecification };',
          '',
        ].join('\n'),
      );
      const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      const files = await run(
        process.execPath,
        [
          tsc,
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--strict',
          '--noEmit',
          '--listFiles',
          'consumer.ts',
        ],
        project,
      );
      const eddyFiles = files.split('\n').filter((file) => file.includes('/node_modules/@eddy/'));
      // Resolved through `types`: the declarations in dist, never the TypeScript sources.
      expect(eddyFiles.some((file) => file.endsWith('/@eddy/core/dist/index.d.ts'))).toBe(true);
      expect(eddyFiles.some((file) => file.endsWith('/@eddy/core/dist/testing.d.ts'))).toBe(true);
      expect(eddyFiles.some((file) => file.endsWith('/@eddy/sqlite/dist/index.d.ts'))).toBe(true);
      expect(eddyFiles.filter((file) => !file.endsWith('.d.ts'))).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});

/** Waits for `eddy dev`'s banner and returns the gateway's URL. */
function bannerUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /server on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url !== undefined && stdout.includes('Press Ctrl+C')) resolve(url);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`eddy dev exited (${code ?? signal}) before its banner:\n${stdout}\n${stderr}`)),
    );
  });
}

/** SIGINT to the process group, then waits until no process of it is left (SIGKILL after 20 s). */
async function stop(child: ChildProcess | undefined): Promise<void> {
  const pid = child?.pid;
  if (pid === undefined) return;
  const groupAlive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!groupAlive()) return;
  process.kill(-pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (groupAlive()) {
    if (Date.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
