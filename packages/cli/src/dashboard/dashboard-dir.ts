import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The built dashboard of the `@eddy/dashboard` package (a dependency of this one): its `dist`,
 * found by package resolution from this file, so it holds wherever the package manager put it (a
 * workspace link in the repository, `node_modules` once installed). Undefined when the package is
 * not installed.
 */
export function defaultDashboardDir(): string | undefined {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('@eddy/dashboard/package.json');
  } catch {
    return undefined;
  }
  return join(dirname(manifest), 'dist');
}

/** True when `dir` holds a built dashboard (`index.html`). */
export function isDashboardBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}
