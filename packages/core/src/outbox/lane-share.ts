/**
 * How many lanes one relay should hold: an even split over the live relays (rounded up so every lane
 * has an owner), capped by the relay's own `maxLanes`.
 */
export function fairShare(lanes: number, relays: number, maxLanes?: number): number {
  const share = Math.ceil(lanes / Math.max(1, relays));
  return Math.min(share, maxLanes ?? lanes);
}
