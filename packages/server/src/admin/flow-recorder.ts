import type { CloudEvent } from '@eddy/core';
import { InvalidOptionError } from '@eddy/core/internal';
import type { FlowEventJson, FlowLinkJson, FlowResponse, FlowTypeJson } from './console-api-types.js';

/**
 * Bounds of the gateway's flow recorder. Memory stays under roughly
 * `maxTrackedIds × 100 B + maxTypes × recentEventsPerType × 300 B + maxLinks × 200 B`
 * (about 5 MB with the defaults).
 */
export interface FlowRecorderOptions {
  /**
   * Event ids remembered to resolve `causationid`s, oldest forgotten first. A cause older than the
   * last this-many events is not linked. Default 10 000.
   */
  readonly maxTrackedIds?: number;
  /** Event types tracked; events of further types are counted in `dropped` only. Default 500. */
  readonly maxTypes?: number;
  /** Distinct links (cause type, effect type, topic) kept; further ones are dropped. Default 1 000. */
  readonly maxLinks?: number;
  /** Recent events kept per type for `GET /v1/flow/events`. Default 20. */
  readonly recentEventsPerType?: number;
}

/** A recent event as kept: the time stays a number until asked for (formatting is the costly part). */
type KeptEvent = Omit<FlowEventJson, 'seenAt'> & { readonly seenAtMs: number };

interface TypeEntry {
  count: number;
  readonly topics: Set<string>;
  lastSeen: number;
  readonly recent: KeptEvent[];
}

interface LinkEntry {
  readonly from: string;
  readonly to: string;
  readonly topic: string;
  count: number;
  lastSeen: number;
}

/** Topics listed per type; a type spread over more is still counted. */
const MAX_TOPICS_PER_TYPE = 16;

function bound(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1) {
    throw new InvalidOptionError(`flow.${name} must be a positive integer, got ${resolved}.`);
  }
  return resolved;
}

/**
 * The choreography as observed: which event types cause which, from the `causationid` of the events
 * the gateway publishes. Declared flows are `buildFlowGraph`'s job (`@eddy/core/saga`); this one
 * shows what traffic actually did, in bounded memory.
 */
export class FlowRecorder {
  private readonly ids = new Map<string, string>();
  private readonly idRing: (string | undefined)[] = [];
  private idNext = 0;
  private readonly types = new Map<string, TypeEntry>();
  private readonly links = new Map<string, LinkEntry>();
  private readonly maxTrackedIds: number;
  private readonly maxTypes: number;
  private readonly maxLinks: number;
  private readonly recentPerType: number;
  private since: number | undefined;
  /** Events not recorded because a bound was reached. */
  dropped = 0;

  constructor(options: FlowRecorderOptions = {}) {
    this.maxTrackedIds = bound('maxTrackedIds', options.maxTrackedIds, 10_000);
    this.maxTypes = bound('maxTypes', options.maxTypes, 500);
    this.maxLinks = bound('maxLinks', options.maxLinks, 1_000);
    this.recentPerType = bound('recentEventsPerType', options.recentEventsPerType, 20);
  }

  /** Records one event made durable on `topic` at `position`. */
  record(
    topic: string,
    event: CloudEvent,
    position: { readonly partition: number; readonly offset: string },
    now = Date.now(),
  ): void {
    this.since ??= now;
    let entry = this.types.get(event.type);
    if (entry === undefined) {
      if (this.types.size >= this.maxTypes) {
        this.dropped += 1;
        return;
      }
      entry = { count: 0, topics: new Set(), lastSeen: now, recent: [] };
      this.types.set(event.type, entry);
    }
    entry.count += 1;
    entry.lastSeen = now;
    if (entry.topics.size < MAX_TOPICS_PER_TYPE) entry.topics.add(topic);
    entry.recent.push({
      id: event.id,
      type: event.type,
      topic,
      source: event.source,
      partition: position.partition,
      offset: position.offset,
      ...(typeof event.causationid === 'string' ? { causationid: event.causationid } : {}),
      ...(typeof event.correlationid === 'string' ? { correlationid: event.correlationid } : {}),
      seenAtMs: now,
    });
    if (entry.recent.length > this.recentPerType) entry.recent.shift();

    const causeType = typeof event.causationid === 'string' ? this.ids.get(event.causationid) : undefined;
    if (causeType !== undefined) this.link(causeType, event.type, topic, now);

    // A ring of the last ids, oldest overwritten: a Map's own insertion order would do, but reaching
    // its first key after many deletes walks the deleted slots, which made a record cost tens of µs.
    if (!this.ids.has(event.id)) {
      const oldest = this.idRing[this.idNext];
      if (oldest !== undefined) this.ids.delete(oldest);
      this.idRing[this.idNext] = event.id;
      this.idNext = (this.idNext + 1) % this.maxTrackedIds;
    }
    this.ids.set(event.id, event.type);
  }

  private link(from: string, to: string, topic: string, now: number): void {
    const key = `${from}\u0000${to}\u0000${topic}`;
    let link = this.links.get(key);
    if (link === undefined) {
      if (this.links.size >= this.maxLinks) {
        this.dropped += 1;
        return;
      }
      link = { from, to, topic, count: 0, lastSeen: now };
      this.links.set(key, link);
    }
    link.count += 1;
    link.lastSeen = now;
  }

  /** The graph: every tracked type and link. */
  snapshot(): FlowResponse {
    const iso = (ms: number): string => new Date(ms).toISOString();
    const types = [...this.types].map(([type, entry]): FlowTypeJson => ({
      type,
      count: entry.count,
      topics: [...entry.topics],
      lastSeen: iso(entry.lastSeen),
    }));
    const links = [...this.links.values()].map((link): FlowLinkJson => ({
      from: link.from,
      to: link.to,
      topic: link.topic,
      count: link.count,
      lastSeen: iso(link.lastSeen),
    }));
    return { enabled: true, types, links, since: this.since === undefined ? null : iso(this.since) };
  }

  /** Recent events of one type, newest first. */
  recent(type: string): FlowEventJson[] {
    return (this.types.get(type)?.recent ?? [])
      .map(({ seenAtMs, ...event }) => ({ ...event, seenAt: new Date(seenAtMs).toISOString() }))
      .reverse();
  }
}
