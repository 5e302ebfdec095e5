import { type Coordination, type InstanceLink, type LeaderLease } from '@eddy/core/internal';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { closeConnection, describeTarget, openConnection } from '../connection.js';
import { toEddyError } from '../errors.js';
import { resolveOptions, type NatsTransportOptions } from '../options.js';

/** Where the leases and subjects live: the transport's connection options (`servers`, auth, `prefix`). */
export type NatsCoordinationOptions = Pick<
  NatsTransportOptions,
  'servers' | 'user' | 'pass' | 'token' | 'prefix' | 'connectTimeoutMs'
>;

/**
 * Leader leases in KV buckets `<prefix>_leases_<ttlMs>`: the bucket's age limit is the lease time,
 * so the server removes a lease nobody renewed (expiry by the server's clock). Taking is `create`
 * (only when the key is absent), renewing is `update` at the revision this holder read (only when
 * nobody wrote in between), so two holders never both succeed.
 */
function natsLeaderLease(nc: NatsConnection, prefix: string, where: string): LeaderLease {
  const kvm = new Kvm(nc);
  // One bucket per lease time: a bucket's age limit is fixed when it is created.
  const buckets = new Map<number, Promise<KV>>();
  const bucket = (ttlMs: number): Promise<KV> => {
    let kv = buckets.get(ttlMs);
    if (kv === undefined) {
      kv = kvm.create(`${prefix}_leases_${ttlMs}`, { ttl: ttlMs, history: 1 });
      kv.catch(() => buckets.delete(ttlMs));
      buckets.set(ttlMs, kv);
    }
    return kv;
  };
  const known = new Map<string, number>();
  return {
    async acquire(name, holder, ttlMs) {
      try {
        const kv = await bucket(ttlMs);
        known.set(name, ttlMs);
        const entry = await kv.get(name);
        if (entry === null || entry.operation !== 'PUT') {
          return await kv.create(name, holder).then(
            () => true,
            () => false, // Another holder created it first.
          );
        }
        if (entry.string() !== holder) return false;
        return await kv.update(name, holder, entry.revision).then(
          () => true,
          () => false, // Written by another holder since we read it.
        );
      } catch (error) {
        throw toEddyError(error, `taking the leader lease ${name}`, where);
      }
    },
    async release(name, holder) {
      const ttlMs = known.get(name);
      if (ttlMs === undefined) return;
      try {
        const kv = await bucket(ttlMs);
        const entry = await kv.get(name);
        if (entry?.operation === 'PUT' && entry.string() === holder) {
          await kv.delete(name, { previousSeq: entry.revision });
        }
      } catch (error) {
        throw toEddyError(error, `releasing the leader lease ${name}`, where);
      }
    },
  };
}

/**
 * What several gateways on one NATS server share: leader leases in KV buckets and request/reply
 * between instances on core subjects `<prefix>.instance.<name>` (NATS request/reply, at most once).
 * `close()` closes the connection it opened.
 */
export async function createNatsCoordination(options: NatsCoordinationOptions = {}): Promise<Coordination> {
  const resolved = resolveOptions({ ...options, name: 'eddy-coordination' });
  const nc = await openConnection(resolved);
  const where = describeTarget(resolved.servers);
  const subjectOf = (instance: string): string => `${resolved.prefix}.instance.${instance}`;
  return {
    leader: natsLeaderLease(nc, resolved.prefix, where),
    channel: {
      join(instance, handler) {
        const subscription = nc.subscribe(subjectOf(instance), {
          callback: (error, message) => {
            if (error !== null) return;
            handler(message.string()).then(
              (answer) => message.respond(answer),
              () => undefined, // No answer: the asker times out, which it reads as "unknown".
            );
          },
        });
        const link: InstanceLink = {
          async request(to, request, timeoutMs) {
            try {
              return (await nc.request(subjectOf(to), request, { timeout: timeoutMs })).string();
            } catch {
              return undefined; // No responder, or no answer in time.
            }
          },
          async close() {
            subscription.unsubscribe();
            await Promise.resolve();
          },
        };
        // The subscription is registered with the server once the connection flushes.
        return nc.flush().then(() => link);
      },
    },
    close: () => closeConnection(nc),
  };
}
