import type { InstanceLink } from '@eddy/core/internal';
import type { LeaseRegistry, SettleResult } from './lease-registry.js';

/** Ack ids per forwarded request: keeps a request well under PostgreSQL's 8000-byte NOTIFY payload. */
const IDS_PER_REQUEST = 100;

/** Instance names as `createServer` makes them (9 random bytes, base64url): anything else is made up. */
const INSTANCE_PATTERN = /^[A-Za-z0-9_-]{12}$/;

/** A settle forwarded to the instance that leased the messages. */
interface SettleRequest {
  readonly op: 'ack' | 'nack';
  readonly topic: string;
  readonly group: string;
  readonly ackIds: readonly string[];
  readonly delayMs: number;
}

function isSettleRequest(value: unknown): value is SettleRequest {
  const request = value as Partial<SettleRequest> | null;
  return (
    typeof request === 'object' &&
    request !== null &&
    (request.op === 'ack' || request.op === 'nack') &&
    typeof request.topic === 'string' &&
    typeof request.group === 'string' &&
    Array.isArray(request.ackIds) &&
    request.ackIds.every((id) => typeof id === 'string') &&
    typeof request.delayMs === 'number'
  );
}

/**
 * Settles HTTP pull acks and nacks wherever the lease was made. An ack id starts with the name of
 * the gateway instance that leased the message; ids of this instance settle here, the others are
 * forwarded over the backend to their instance, which settles them exactly as its own (its
 * transport handler resolves or throws, so the backend's at-least-once and per-key order are the
 * transport's as ever). No answer (that instance is gone or slow) reports the ids unknown: the
 * backend redelivers those messages once the dead instance's claims lapse.
 */
export class SettleRouter {
  readonly #leases: LeaseRegistry;
  #link: InstanceLink | undefined;
  readonly #timeoutMs: number;

  /** `timeoutMs`: longest wait for the instance a settle is forwarded to. */
  constructor(leases: LeaseRegistry, timeoutMs: number) {
    this.#leases = leases;
    this.#timeoutMs = timeoutMs;
  }

  /** Starts forwarding settles of other instances' ack ids over `link` (without one they are unknown). */
  connect(link: InstanceLink): void {
    this.#link = link;
  }

  /** Answers a settle another instance forwarded here. */
  async answer(request: string): Promise<string> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request);
    } catch {
      parsed = undefined;
    }
    if (!isSettleRequest(parsed)) return JSON.stringify({ settled: 0, unknown: [] });
    const { op, topic, group, ackIds, delayMs } = parsed;
    const result =
      op === 'ack'
        ? this.#leases.ack(topic, group, ackIds)
        : this.#leases.nack(topic, group, ackIds, delayMs);
    return Promise.resolve(JSON.stringify(result));
  }

  ack(topic: string, group: string, ackIds: readonly string[]): SettleResult | Promise<SettleResult> {
    return this.#settle({ op: 'ack', topic, group, ackIds, delayMs: 0 });
  }

  nack(
    topic: string,
    group: string,
    ackIds: readonly string[],
    delayMs: number,
  ): SettleResult | Promise<SettleResult> {
    return this.#settle({ op: 'nack', topic, group, ackIds, delayMs });
  }

  #settle(request: SettleRequest): SettleResult | Promise<SettleResult> {
    const { op, topic, group, ackIds, delayMs } = request;
    const local = (ids: readonly string[]): SettleResult =>
      op === 'ack' ? this.#leases.ack(topic, group, ids) : this.#leases.nack(topic, group, ids, delayMs);
    const self = this.#leases.instance;
    // The common case, and the only one without peers: no allocation beyond the registry's own.
    if (this.#link === undefined || ackIds.every((id) => LeaseRegistryIds.instanceOf(id) === self)) {
      return local(ackIds);
    }
    const byInstance = new Map<string, string[]>();
    for (const id of new Set(ackIds)) {
      const instance = LeaseRegistryIds.instanceOf(id);
      let ids = byInstance.get(instance);
      if (ids === undefined) byInstance.set(instance, (ids = []));
      ids.push(id);
    }
    return this.#forward(request, byInstance, local);
  }

  async #forward(
    request: SettleRequest,
    byInstance: Map<string, string[]>,
    local: (ids: readonly string[]) => SettleResult,
  ): Promise<SettleResult> {
    const link = this.#link;
    if (link === undefined) return local([...byInstance.values()].flat());
    let settled = 0;
    const unknown: string[] = [];
    const own = byInstance.get(this.#leases.instance);
    if (own !== undefined) {
      const result = local(own);
      settled += result.settled;
      unknown.push(...result.unknown);
      byInstance.delete(this.#leases.instance);
    }
    // Made-up ids are unknown at once, rather than after waiting for an instance that cannot exist.
    for (const [instance, ids] of byInstance) {
      if (INSTANCE_PATTERN.test(instance)) continue;
      unknown.push(...ids);
      byInstance.delete(instance);
    }
    const requests: Promise<void>[] = [];
    for (const [instance, ids] of byInstance) {
      for (let start = 0; start < ids.length; start += IDS_PER_REQUEST) {
        const chunk = ids.slice(start, start + IDS_PER_REQUEST);
        requests.push(
          link
            .request(instance, JSON.stringify({ ...request, ackIds: chunk }), this.#timeoutMs)
            .then((answer) => {
              const result = answer === undefined ? undefined : (JSON.parse(answer) as Partial<SettleResult>);
              if (typeof result?.settled !== 'number' || !Array.isArray(result.unknown)) {
                unknown.push(...chunk);
                return;
              }
              settled += result.settled;
              unknown.push(...result.unknown.filter((id): id is string => typeof id === 'string'));
            }),
        );
      }
    }
    await Promise.all(requests);
    return { settled, unknown };
  }
}

/** How ack ids name the instance that made them: `<instance>.<counter>`. */
export const LeaseRegistryIds = {
  instanceOf(ackId: string): string {
    const dot = ackId.indexOf('.');
    return dot === -1 ? '' : ackId.slice(0, dot);
  },
};
