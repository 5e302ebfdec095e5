import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

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

function fileFor(dir: string, url: string | undefined): string | undefined {
  const path = decodeURIComponent((url ?? '/').split('?')[0] ?? '/');
  if (path === '/' || path === '/index.html') return join(dir, 'index.html');
  if (!path.startsWith('/assets/') && path !== '/favicon.svg') return undefined;
  const file = resolve(dir, normalize(`.${path}`));
  // A request must never read outside the dashboard directory.
  return file.startsWith(resolve(dir) + sep) ? file : undefined;
}

function serve(dir: string, request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const file = fileFor(dir, request.url);
  if (file === undefined || !existsSync(file) || !statSync(file).isFile()) return false;
  const body = readFileSync(file);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    // Vite puts a content hash in every asset name, so assets never change under one URL.
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * Serves the dashboard at `/` (and `/assets/*`) from the gateway's own HTTP server, ahead of its
 * routes; every other request goes to the gateway unchanged. Call before `listen()`.
 *
 * The gateway has no static-files option yet and its Fastify instance is already `ready()` when
 * `createServer` returns (no routes can be added), so this wraps the Node server's request
 * listener instead.
 */
export function attachDashboard(server: { readonly app: { readonly server: Server } }, dir: string): void {
  const http = server.app.server;
  const gateway = http.listeners('request') as RequestListener[];
  http.removeAllListeners('request');
  http.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (serve(dir, request, response)) return;
    for (const listener of gateway) listener.call(http, request, response);
  });
}
