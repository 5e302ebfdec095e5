import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's built files: `packages/dashboard/dist` beside this package, which holds both in
 * the repository (`packages/cli` next to `packages/dashboard`) and once installed
 * (`node_modules/@eddy/cli` next to `node_modules/@eddy/dashboard`).
 */
export function defaultDashboardDir(): string {
  return fileURLToPath(new URL('../../../dashboard/dist/', import.meta.url));
}

/** True when `dir` holds a built dashboard (`index.html`). */
export function isDashboardBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}
