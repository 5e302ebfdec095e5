import type { Coordination } from '@eddy/core/internal';
import { openPool, type PoolSource } from '../connection.js';
import {
  assertSchemaName,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  DEFAULT_RECONNECT_DELAY_MS,
  DEFAULT_SCHEMA,
} from '../options.js';
import { postgresInstanceChannel } from './instance-channel.js';
import { migrateLeaderLeases, postgresLeaderLease } from './leader-lease.js';

/** Where the coordination tables and channels live. */
export interface PostgresCoordinationOptions extends PoolSource {
  /** Receives connection failures of the listening session (it reconnects by itself). Default: ignored. */
  readonly onError?: (error: unknown, doing: string) => void;
}

/**
 * What several gateways on one PostgreSQL database share: leader leases in `<schema>.leader_leases`
 * and request/reply between instances over LISTEN/NOTIFY. `close()` ends the pool when this opened it.
 */
export async function createPostgresCoordination(
  options: PostgresCoordinationOptions,
): Promise<Coordination> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const connection = openPool(options, 'createPostgresCoordination', {
    applicationName: 'eddy-coordination',
    max: 4,
  });
  const { pool, where } = connection;
  try {
    await migrateLeaderLeases(pool, schema, where);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    leader: postgresLeaderLease(pool, schema, where),
    channel: postgresInstanceChannel({
      pool,
      schema,
      where,
      reconnectDelayMs: DEFAULT_RECONNECT_DELAY_MS,
      maxReconnectDelayMs: DEFAULT_MAX_RECONNECT_DELAY_MS,
      report: options.onError ?? (() => undefined),
    }),
    close: () => connection.close(),
  };
}
