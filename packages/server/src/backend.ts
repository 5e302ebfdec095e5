import { redactUrl } from '@eddy/core/internal';

/**
 * Backends the gateway opens by name, each at the address its server listens on by default on
 * this machine, so `eddy dev --transport redis` works against a stock local install. `sqlite` is the
 * embedded log under the data directory. `sqs` is a local SNS/SQS emulator (LocalStack or fauxqs on
 * their usual port 4566, which take any credentials); AWS itself is `sqs://?region=…`.
 */
export const BACKEND_URLS = {
  sqlite: undefined,
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: 'redis://127.0.0.1:6379',
  rabbitmq: 'amqp://guest:guest@127.0.0.1:5672',
  nats: 'nats://127.0.0.1:4222',
  activemq: 'stomp://127.0.0.1:61613',
  sqs: 'sqs://test:test@127.0.0.1:4566?region=us-east-1',
} as const;

export type BackendName = keyof typeof BACKEND_URLS;

export const BACKEND_NAMES = Object.keys(BACKEND_URLS) as readonly BackendName[];

export function isBackendName(value: string): value is BackendName {
  return Object.hasOwn(BACKEND_URLS, value);
}

/** URL schemes each backend is reached by, so a `--url` can be checked against `--transport`. */
export const BACKEND_SCHEMES: Readonly<Record<BackendName, readonly string[]>> = {
  sqlite: ['sqlite:'],
  postgres: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:'],
  rabbitmq: ['amqp:', 'amqps:'],
  nats: ['nats:'],
  activemq: ['stomp:'],
  sqs: ['sqs:'],
};

/** The backend a URL's scheme names, undefined for a scheme the gateway does not open. */
export function backendOfUrl(url: string): BackendName | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
  if (scheme === undefined) return undefined;
  return BACKEND_NAMES.find((name) => BACKEND_SCHEMES[name].includes(scheme));
}

/**
 * Turns a backend name or URL (the `transportUrl` option, `EDDY_TRANSPORT`) into the URL to open:
 * a name gives its local default, `sqlite` (and empty) the embedded log (undefined).
 */
export function transportUrlOf(spec: string | undefined): string | undefined {
  if (spec === undefined || spec === '') return undefined;
  const name = spec.toLowerCase();
  return isBackendName(name) ? BACKEND_URLS[name] : spec;
}

/** Where the gateway's events live, as the startup banner and log say it. */
export interface BackendDescription {
  /** The transport's `name`: `sqlite`, `postgres`, `redis`, … */
  readonly transport: string;
  /** The database file, or the server URL with its password masked; `undefined` for a transport given by the application. */
  readonly location: string | undefined;
  /** One line: `SQLite log in /app/.eddy/eddy.db`, `redis at redis://127.0.0.1:6379`. */
  readonly text: string;
}

export function describeBackend(
  transport: string,
  where: { readonly databasePath?: string; readonly url?: string },
): BackendDescription {
  if (where.databasePath !== undefined) {
    return {
      transport,
      location: where.databasePath,
      text: `SQLite log in ${where.databasePath}`,
    };
  }
  if (where.url !== undefined) {
    const location = redactUrl(where.url);
    return { transport, location, text: `${transport} at ${location}` };
  }
  return { transport, location: undefined, text: `${transport} (transport given by the application)` };
}
