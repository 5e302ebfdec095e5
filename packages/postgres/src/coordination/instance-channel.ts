import { createHash } from 'node:crypto';
import { InvalidOptionError, PubSubLink, type InstanceChannel } from '@eddy/core/internal';
import type pg from 'pg';
import { listenClient } from '../connection.js';
import { NotifyListener } from '../notify-listener.js';
import { toEddyError } from '../errors.js';

/** Instance names the channel accepts: short enough for a NOTIFY channel name (63 bytes) with its prefix. */
const INSTANCE_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

/** A payload NOTIFY accepts: just under PostgreSQL's 8000-byte limit. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7_900;

function channelOf(schema: string, instance: string): string {
  const scope = createHash('sha256').update(schema).digest('hex').slice(0, 8);
  return `eddy_${scope}_${instance}`;
}

export interface PostgresInstanceChannelSettings {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly where: string;
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  readonly report: (error: unknown, doing: string) => void;
}

/**
 * `InstanceChannel` on LISTEN/NOTIFY: each process listens on a channel named after it (scoped to
 * the schema), and posts with `pg_notify`. Texts over `MAX_NOTIFY_PAYLOAD_BYTES` are refused by
 * PostgreSQL, so callers keep requests small.
 */
export function postgresInstanceChannel(settings: PostgresInstanceChannelSettings): InstanceChannel {
  const { pool, schema, where } = settings;
  return {
    async join(instance, handler) {
      if (!INSTANCE_PATTERN.test(instance)) {
        throw new InvalidOptionError(
          `Instance name "${instance}" must be 1-40 letters, digits, "_" or "-" (it names a NOTIFY channel).`,
        );
      }
      const post = async (to: string, payload: string): Promise<void> => {
        try {
          await pool.query('SELECT pg_notify($1, $2)', [channelOf(schema, to), payload]);
        } catch (error) {
          throw toEddyError(error, `notifying instance ${to}`, where);
        }
      };
      const link: PubSubLink = new PubSubLink({
        instance,
        handler,
        post,
        onClose: () => listener.close(),
        report: (error) => settings.report(error, 'answering an instance request'),
      });
      const listener = new NotifyListener({
        createClient: () => listenClient(pool, { application_name: 'eddy-instance-channel' }),
        channel: channelOf(schema, instance),
        onNotify: (payload) => link.receive(payload),
        // Requests sent meanwhile are lost; their senders time out, which they treat as no answer.
        onReconnect: () => undefined,
        reconnectDelayMs: settings.reconnectDelayMs,
        maxReconnectDelayMs: settings.maxReconnectDelayMs,
        report: settings.report,
      });
      try {
        await listener.start();
      } catch (error) {
        throw toEddyError(error, 'listening for instance requests', where);
      }
      return link;
    },
  };
}
