import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError } from '../errors.js';

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
 * Serves a built single-page app (the dashboard) at `/`: `index.html` and files under `/assets/`
 * and at the top level of `dir`. Open: the page holds no data; its API calls carry their own key.
 */
export function registerStaticRoutes(app: FastifyInstance, dir: string): void {
  const root = resolve(dir);
  const send = async (path: string, reply: FastifyReply) => {
    const file = resolve(root, normalize(`.${path}`));
    // Never read outside the directory, whatever the path says.
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      throw new NotFoundError(`No file ${path} in the dashboard.`);
    }
    const immutable = file.startsWith(join(root, 'assets') + sep);
    return (
      reply
        .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
        // Bundlers put a content hash in asset names, so an asset never changes under one URL.
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await readFile(file))
    );
  };
  // A web app's files, not API operations: kept out of /openapi.json (where `/{file}` would also be
  // a path template without its parameter, which strict validators reject).
  const config = { access: 'none' as const, doc: { hidden: true } };
  app.get('/', { config }, (_request, reply) => send('/index.html', reply));
  app.get<{ Params: { file: string } }>('/:file', { config }, (request, reply) =>
    send(`/${request.params.file}`, reply),
  );
  app.get<{ Params: { '*': string } }>('/assets/*', { config }, (request, reply) =>
    send(`/assets/${request.params['*']}`, reply),
  );
}
