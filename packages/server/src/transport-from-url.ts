import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Transport } from '@eddy/core';
import { InvalidOptionError, redactUrl, type Coordination } from '@eddy/core/internal';
import { createSqliteTransport } from '@eddy/sqlite';
import { BACKEND_NAMES } from './backend.js';

type Factory = (url: string) => Promise<Transport>;

/**
 * Loads a transport package only when its scheme is used, so the gateway does not depend on every
 * broker client. The specifier is a variable on purpose: the packages are optional peers.
 */
export async function loadOptionalPackage<T>(specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new InvalidOptionError(
      `The transport URL needs the ${specifier} package: npm install ${specifier} (${String(error)}).`,
    );
  }
}

const FACTORIES: Readonly<Record<string, Factory>> = {
  'postgres:': async (url) => {
    const { createPostgresTransport } = await loadOptionalPackage<{
      createPostgresTransport: (options: { connectionString: string }) => Promise<Transport>;
    }>('@eddy/postgres');
    return createPostgresTransport({ connectionString: url });
  },
  'redis:': async (url) => {
    const { createRedisTransport } = await loadOptionalPackage<{
      createRedisTransport: (options: { url: string }) => Promise<Transport>;
    }>('@eddy/redis');
    return createRedisTransport({ url });
  },
  'amqp:': async (url) => {
    const { createRabbitMqTransport } = await loadOptionalPackage<{
      createRabbitMqTransport: (options: { url: string }) => Promise<Transport>;
    }>('@eddy/rabbitmq');
    return createRabbitMqTransport({ url });
  },
  'nats:': async (url) => {
    const { createNatsTransport } = await loadOptionalPackage<{
      createNatsTransport: (options: { servers: string }) => Promise<Transport>;
    }>('@eddy/nats');
    return createNatsTransport({ servers: url });
  },
  'sqs:': async (url) => {
    const { createSqsTransport } = await loadOptionalPackage<{
      createSqsTransport: (options: { url: string }) => Promise<Transport>;
    }>('@eddy/sqs');
    return createSqsTransport({ url });
  },
  'stomp:': async (url) => {
    const { createActiveMqTransport } = await loadOptionalPackage<{
      createActiveMqTransport: (options: { url: string }) => Promise<Transport>;
    }>('@eddy/activemq');
    return createActiveMqTransport({ url });
  },
  'sqlite:': (url) => {
    const path = sqlitePathOf(url);
    mkdirSync(dirname(path), { recursive: true });
    return Promise.resolve(createSqliteTransport({ path }));
  },
};
/** The file a `sqlite:<path>` URL names, resolved against the working directory. */
export function sqlitePathOf(url: string): string {
  return resolve(decodeURIComponent(url.slice('sqlite:'.length).replace(/^\/\//, '')));
}

const ALIASES: Readonly<Record<string, string>> = {
  'postgresql:': 'postgres:',
  'rediss:': 'redis:',
  'amqps:': 'amqp:',
};

/**
 * Opens the transport a URL names: `postgres://…`, `redis://…`, `amqp://…`, `nats://…`,
 * `sqs://host:port?region=…`, `stomp://…` (ActiveMQ) or `sqlite:<path>`. Throws `InvalidOptionError`
 * for other schemes.
 */
export function openTransportFromUrl(url: string): Promise<Transport> {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  const factory = scheme === undefined ? undefined : FACTORIES[ALIASES[scheme] ?? scheme];
  if (factory === undefined) {
    throw new InvalidOptionError(
      `Transport URL must start with postgres://, redis://, amqp://, nats://, sqs://, stomp:// or sqlite:, ` +
        `or be a backend name (${BACKEND_NAMES.join(', ')}); got "${redactUrl(url)}".`,
    );
  }
  return factory(url);
}

/**
 * Opens leader leases and instance requests on the backend a URL names, for `cluster` mode:
 * `postgres://`, `redis://` and `nats://`. Throws `InvalidOptionError` for other backends, which need
 * `cluster.coordination` passed in.
 */
export async function openCoordinationFromUrl(url: string | undefined): Promise<Coordination> {
  const scheme = url === undefined ? undefined : /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  const kind = scheme === undefined ? undefined : (ALIASES[scheme] ?? scheme);
  if (kind === 'postgres:') {
    const { createPostgresCoordination } = await loadOptionalPackage<{
      createPostgresCoordination: (options: { connectionString: string }) => Promise<Coordination>;
    }>('@eddy/postgres');
    return createPostgresCoordination({ connectionString: url! });
  }
  if (kind === 'redis:') {
    const { createRedisCoordination } = await loadOptionalPackage<{
      createRedisCoordination: (options: { url: string }) => Promise<Coordination>;
    }>('@eddy/redis');
    return createRedisCoordination({ url: url! });
  }
  if (kind === 'nats:') {
    const { createNatsCoordination } = await loadOptionalPackage<{
      createNatsCoordination: (options: { servers: string }) => Promise<Coordination>;
    }>('@eddy/nats');
    return createNatsCoordination({ servers: url! });
  }
  throw new InvalidOptionError(
    'cluster mode opens its coordination on a postgres://, redis:// or nats:// backend only; ' +
      `for ${url === undefined ? 'the embedded SQLite log' : redactUrl(url)} pass cluster.coordination ` +
      "(or run a single gateway: the embedded log is one process's file).",
  );
}
