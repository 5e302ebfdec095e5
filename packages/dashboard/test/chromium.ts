import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

/** System browsers tried first: the Debian/Ubuntu packages and Google Chrome. */
const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

interface Attempt {
  readonly status: number | null;
  readonly output: string;
}

export interface ChromiumOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly candidates?: readonly string[];
  /** Whether Playwright's own Chromium is downloaded. Default: looks for it. */
  readonly isInstalled?: () => boolean;
  /**
   * Installers tried in order until a browser is there. Default: Debian's `chromium` package when
   * running as root with apt-get (what CI uses), then `playwright-core install chromium`.
   */
  readonly installers?: readonly (() => Attempt)[];
}

function run(command: string, args: readonly string[]): Attempt {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return {
    status: result.status,
    output: `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}

function aptInstall(): Attempt {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return { status: 1, output: 'apt-get: not root, or not a Debian-like system\n' };
  }
  const update = run('apt-get', ['update', '-qq']);
  if (update.status !== 0) return update;
  return run('apt-get', ['install', '-y', '-qq', 'chromium']);
}

function playwrightInstall(): Attempt {
  // cli.js is not in the package's exports map: found next to its package.json.
  const cli = join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
  return run(process.execPath, [cli, 'install', 'chromium']);
}

function playwrightChromiumInstalled(): boolean {
  try {
    return existsSync(chromium.executablePath());
  } catch {
    return false;
  }
}

/**
 * The Chromium the browser tests drive: `EDDY_CHROMIUM`, else a system browser, else Playwright's
 * own; when there is none it installs one (Debian's package as root, else Playwright's download), so
 * `npm test` needs no manual set-up. Returns the executable to launch, or undefined for Playwright's
 * own. Throws a message that says what to do when nothing can be installed (offline, no root).
 */
export function findChromium(options: ChromiumOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const chosen = env['EDDY_CHROMIUM'];
  if (chosen !== undefined && chosen !== '') {
    if (!existsSync(chosen)) throw new Error(`EDDY_CHROMIUM points at ${chosen}, which does not exist.`);
    return chosen;
  }
  const candidates = options.candidates ?? SYSTEM_BROWSERS;
  const installed = options.isInstalled ?? playwrightChromiumInstalled;
  const present = (): string | undefined => candidates.find((path) => existsSync(path));
  const system = present();
  if (system !== undefined) return system;
  if (installed()) return undefined;
  const outputs: string[] = [];
  for (const install of options.installers ?? [aptInstall, playwrightInstall]) {
    const attempt = install();
    outputs.push(attempt.output.slice(-1000));
    const found = present();
    if (found !== undefined) return found;
    if (attempt.status === 0 && installed()) return undefined;
  }
  throw new Error(
    `No Chromium for the dashboard tests: none at EDDY_CHROMIUM or ${candidates.join(', ')}, and installing one failed` +
      `${env['CI'] === 'true' ? ' on this CI runner' : ''}. Install one (apt-get install -y chromium, or ` +
      '`npx playwright-core install chromium`), or set EDDY_CHROMIUM to a Chromium or Chrome binary.\n' +
      outputs.join('\n'),
  );
}
