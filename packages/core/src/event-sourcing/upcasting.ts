import { InvalidOptionError } from '../errors/errors.js';
import type { EventStore } from './event-store.js';

/**
 * Turns the data of one event type from `fromVersion` into `fromVersion + 1`. Chains run on read:
 * a V1 event passes through the V1 and V2 upcasters to reach V3.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: unknown, event: VersionedEvent): unknown;
  /** New type name from the next version on, when the event was renamed. Default: unchanged. */
  readonly toType?: string;
}

/** The fields upcasting reads and rewrites on a recorded event (event store). */
export interface VersionedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion: number;
}

/**
 * The same fields on a bus event: there the version travels as the CloudEvents extension
 * `schemaversion`, absent meaning version 1.
 */
export interface VersionedCloudEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaversion?: unknown;
}

/** The version an event says it has: `schemaVersion` (recorded events) or `schemaversion` (bus events), default 1. */
function versionOf(event: VersionedEvent | VersionedCloudEvent): number {
  const value: unknown = 'schemaVersion' in event ? event.schemaVersion : event.schemaversion;
  if (typeof value === 'number') return value;
  // Binary-mode transports carry extensions as header strings.
  if (typeof value === 'string' && /^[1-9][0-9]*$/.test(value)) return Number(value);
  return 1;
}

/**
 * Applies registered upcasters until no upcaster matches the event's type and schema version.
 * Works on recorded events (`schemaVersion`) and on bus events (the `schemaversion` extension,
 * absent = 1), writing the new version back to the field the event uses; other fields are kept.
 */
export function createUpcaster(
  upcasters: readonly Upcaster[],
): <TEvent extends VersionedEvent | VersionedCloudEvent>(event: TEvent) => TEvent {
  const byKey = new Map<string, Upcaster>();
  for (const upcaster of upcasters) {
    if (!Number.isSafeInteger(upcaster.fromVersion) || upcaster.fromVersion < 1) {
      throw new InvalidOptionError(`Upcaster for "${upcaster.type}" needs fromVersion >= 1.`);
    }
    const key = `${upcaster.fromVersion}:${upcaster.type}`;
    if (byKey.has(key)) {
      throw new InvalidOptionError(
        `Two upcasters for "${upcaster.type}" version ${upcaster.fromVersion}: keep one.`,
      );
    }
    byKey.set(key, upcaster);
  }
  return <TEvent extends VersionedEvent | VersionedCloudEvent>(event: TEvent): TEvent => {
    const field = 'schemaVersion' in event ? 'schemaVersion' : 'schemaversion';
    let version = versionOf(event);
    let step = byKey.get(`${version}:${event.type}`);
    if (step === undefined) return event;
    let type = event.type;
    let data = event.data;
    // Each step raises the version by one, so the loop ends after at most byKey.size steps.
    while (step !== undefined) {
      data = step.upcast(data, { type, data, schemaVersion: version });
      type = step.toType ?? type;
      version += 1;
      step = byKey.get(`${version}:${type}`);
    }
    return { ...event, type, data, [field]: version };
  };
}

/** The same store, with every read event upcast to its current shape. Appends are untouched. */
export function withUpcasting(store: EventStore, upcasters: readonly Upcaster[]): EventStore {
  const upcast = createUpcaster(upcasters);
  const wrapped: EventStore = {
    append: (streamId, events, options) => store.append(streamId, events, options),
    async readStream(streamId, options) {
      const result = await store.readStream(streamId, options);
      return { ...result, events: result.events.map(upcast) };
    },
    async readAll(options) {
      return (await store.readAll(options)).map(upcast);
    },
    getStreamMetadata: (streamId) => store.getStreamMetadata(streamId),
    setStreamMetadata: (streamId, metadata) => store.setStreamMetadata(streamId, metadata),
    deleteStream: (streamId, options) => store.deleteStream(streamId, options),
    close: () => store.close(),
  };
  if (store.onAppended !== undefined) {
    const onAppended = store.onAppended.bind(store);
    return { ...wrapped, onAppended };
  }
  return wrapped;
}
