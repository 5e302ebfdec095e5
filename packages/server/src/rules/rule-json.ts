import type { RuleRecord, RuleTarget } from '@eddy/rules';
import type { RuleJson } from './rule-api-types.js';

/** What a masked webhook secret reads as; storing it back is refused by the rule check. */
export const MASKED_SECRET = 'whsec_********';

function maskedTarget(target: RuleTarget): RuleTarget {
  return target.kind === 'webhook' && target.secret !== undefined
    ? { ...target, secret: MASKED_SECRET }
    : target;
}

export function ruleJson(record: RuleRecord): RuleJson {
  return {
    name: record.name,
    pattern: record.pattern,
    targets: record.targets.map(maskedTarget),
    enabled: record.enabled,
    ...(record.description === undefined ? {} : { description: record.description }),
    version: record.version,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    counts: record.counts,
  };
}
