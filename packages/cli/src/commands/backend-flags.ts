import { InvalidOptionError, redactUrl } from '@eddy/core/internal';

/** `eddy dev --help`: which backend runs where, and how to move the gateway to another port. */
export const BACKEND_HELP = `
Backends (--transport, else EDDY_TRANSPORT; --url, else the default address below):
  sqlite    embedded log in <data-dir>/.eddy/eddy.db (the default)
  postgres  postgres://postgres@127.0.0.1:5432/postgres   (needs @eddy/postgres)
  redis     redis://127.0.0.1:6379                         (needs @eddy/redis)
  rabbitmq  amqp://guest:guest@127.0.0.1:5672              (needs @eddy/rabbitmq)
  nats      nats://127.0.0.1:4222                          (needs @eddy/nats)
  activemq  stomp://127.0.0.1:61613                        (needs @eddy/activemq)
  sqs       sqs://test:test@127.0.0.1:4566?region=us-east-1 (needs @eddy/sqs; an emulator;
            AWS itself: sqs://?region=eu-west-1)
EDDY_TRANSPORT takes a name or a URL: EDDY_TRANSPORT=redis://cache:6379 eddy dev

Port: --port 5000 or EDDY_PORT=5000 (default 4400; 0 picks a free port).
`;

/**
 * What `--transport` and `--url` ask for, as the server's `transportUrl` option (a backend name or a
 * URL); undefined when neither is given, so the server falls back on EDDY_TRANSPORT.
 */
export async function transportSpecOf(
  transport: string | undefined,
  url: string | undefined,
): Promise<string | undefined> {
  const { BACKEND_NAMES, backendOfUrl, isBackendName } = await import('@eddy/server');
  const name = transport?.toLowerCase();
  if (name !== undefined && !isBackendName(name)) {
    throw new InvalidOptionError(
      `--transport must be one of ${BACKEND_NAMES.join(', ')}, got "${transport}". ` +
        'Give a URL with --url to reach a server elsewhere.',
    );
  }
  if (url === undefined) return name;
  const named = backendOfUrl(url);
  if (named === undefined) {
    throw new InvalidOptionError(
      `--url for eddy dev is the backend's URL (postgres://, redis://, amqp://, nats://, stomp://, sqs:// or sqlite:), ` +
        `got "${redactUrl(url)}".`,
    );
  }
  if (name !== undefined && named !== name) {
    throw new InvalidOptionError(`--url names a ${named} server but --transport says ${name}.`);
  }
  return url;
}
