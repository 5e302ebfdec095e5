import type { StartPosition, Transport } from '@eddy/core';
import type { ResolvedServerOptions } from '../options.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { ConsumerLimits } from './consumer-limits.js';
import type { LeaseRegistry } from './lease-registry.js';
import { PullBridge } from './pull-bridge.js';
import type { ConsumeFilter } from './consume-filter.js';
import { InvalidFilterError } from '@eddy/core/internal';

/** One pull bridge per (topic, group), opened on the first request and closed when idle. */
export class PullBridges {
  readonly #bridges = new Map<string, Promise<PullBridge>>();
  readonly #transport: Transport;
  readonly #leases: LeaseRegistry;
  readonly #metrics: GatewayMetrics;
  readonly #options: ResolvedServerOptions;
  readonly #consumers: ConsumerLimits;

  constructor(
    transport: Transport,
    leases: LeaseRegistry,
    metrics: GatewayMetrics,
    options: ResolvedServerOptions,
    consumers: ConsumerLimits,
  ) {
    this.#consumers = consumers;
    this.#transport = transport;
    this.#leases = leases;
    this.#metrics = metrics;
    this.#options = options;
  }

  /**
   * The bridge of `topic`/`group`, opening it (and the group, from `from`, if new) when needed. A new
   * bridge counts against the limits of API key `keyId` and of the gateway: throws
   * `TooManyConsumersError` or `OverloadedError` when they are spent.
   */
  async get(
    topic: string,
    group: string,
    from: StartPosition,
    keyId: string,
    filter?: ConsumeFilter,
  ): Promise<PullBridge> {
    const key = `${topic}\u0000${group}`;
    const bridge = this.#open(key, topic, group, from, keyId, filter);
    const opened = await bridge;
    // What one member drops is settled for the whole group, so members must agree on the filter.
    if (opened.filterKey !== filter?.key) {
      throw new InvalidFilterError(
        `Group "${group}" of topic "${topic}" is being pulled with another filter: every member of a group uses the same filter. Pull with another group for another filter.`,
      );
    }
    return opened;
  }

  #open(
    key: string,
    topic: string,
    group: string,
    from: StartPosition,
    keyId: string,
    filter: ConsumeFilter | undefined,
  ): Promise<PullBridge> {
    let bridge = this.#bridges.get(key);
    if (bridge === undefined) {
      const slot = this.#consumers.admit('pull', keyId);
      const created = new PullBridge({
        consumers: this.#consumers,
        onClosed: () => slot.release(),
        transport: this.#transport,
        leases: this.#leases,
        metrics: this.#metrics,
        topic,
        group,
        from,
        filter,
        bufferSize: this.#options.consume.pullBufferSize,
        ackTimeoutMs: this.#options.consume.ackTimeoutMs,
        idleCloseMs: this.#options.consume.pullIdleCloseMs,
        onIdleClose: () => {
          if (this.#bridges.get(key) === bridge) this.#bridges.delete(key);
        },
      });
      bridge = created.open().then(() => created);
      bridge.catch(() => {
        this.#bridges.delete(key);
        slot.release();
      });
      this.#bridges.set(key, bridge);
    }
    return bridge;
  }

  get size(): number {
    return this.#bridges.size;
  }

  /** Closes every bridge, giving back buffered and leased messages. */
  async close(): Promise<void> {
    const bridges = [...this.#bridges.values()];
    this.#bridges.clear();
    await Promise.all(
      bridges.map(async (pending) => {
        try {
          await (await pending).close(true);
        } catch {
          // A bridge that failed to open has nothing to close.
        }
      }),
    );
  }
}
