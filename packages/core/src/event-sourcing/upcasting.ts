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

/** The fields upcasting reads and rewrites; recorded events and decoded bus events both have them. */
export interface VersionedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion: number;
}

/**
 * Applies registered upcasters until no upcaster matches the event's type and schema version.
 * Works on any event shape with `type`, `data` and `schemaVersion`; other fields are kept.
 */
export function createUpcaster(
  upcasters: readonly Upcaster[],
): <TEvent extends VersionedEvent>(event: TEvent) => TEvent {
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
  return <TEvent extends VersionedEvent>(event: TEvent): TEvent => {
    let current = event;
    // Each step raises the version by one, so the loop ends after at most byKey.size steps.
    for (let step = byKey.get(`${current.schemaVersion}:${current.type}`); step !== undefined;) {
      current = {
        ...current,
        type: step.toType ?? current.type,
        data: step.upcast(current.data, current),
        schemaVersion: current.schemaVersion + 1,
      };
      step = byKey.get(`${current.schemaVersion}:${current.type}`);
    }
    return current;
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
