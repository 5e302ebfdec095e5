import type { CloudEventsFilter } from '../shared/attribute-filter.js';
import { isGlob } from '../shared/glob.js';
import type { SubscriptionFilter } from './subscription-filter.js';

/**
 * A test over a message's stored header values that a store can run where the messages are (a SQL
 * `WHERE`), so it reads past what a subscription filter drops without handing it over. A leaf
 * compares one header's stored value as it is, case-sensitively; an absent header fails it. A
 * stored value holding `%` may be percent-encoded (the CloudEvents HTTP binding), and then the
 * leaf answers `whenEncoded` instead of comparing: the exact filter decodes and decides.
 */
export type HeaderCondition =
  | boolean
  | {
      readonly header: string;
      readonly op: 'exact' | 'prefix' | 'suffix';
      readonly value: string;
      readonly whenEncoded: boolean;
    }
  | { readonly all: readonly HeaderCondition[] }
  | { readonly any: readonly HeaderCondition[] }
  | { readonly not: HeaderCondition };

/**
 * Translates a checked subscription filter into a `HeaderCondition` that holds for every message
 * the filter accepts (a superset: the store skips only what the filter surely drops, and the exact
 * filter still runs on what it hands over). It applies to binary-mode CloudEvents only: a message
 * without `ce-type` and `ce-specversion` headers is always handed over, as the filter does. Type
 * patterns keep their literal first and last parts (`order.*.eu` becomes prefix `order.` and
 * suffix `.eu`). Returns `true` when nothing can be skipped. Call it on a filter that
 * `compileSubscriptionFilter` accepted: a malformed one is not checked again here.
 */
export function headerConditionOf(filter: SubscriptionFilter): HeaderCondition {
  const parts: HeaderCondition[] = [];
  if (filter.type !== undefined) parts.push(typeCondition(filter.type));
  if (filter.attributes !== undefined) parts.push(translate(filter.attributes, true));
  return all(parts);
}

function typeCondition(type: string): HeaderCondition {
  if (!isGlob(type)) return leaf('type', 'exact', type, true);
  const literals = type.split('*');
  const first = literals[0] ?? '';
  const last = literals[literals.length - 1] ?? '';
  return all([
    first === '' ? true : leaf('type', 'prefix', first, true),
    last === '' ? true : leaf('type', 'suffix', last, true),
  ]);
}

/**
 * `superset` true: a condition holding wherever the filter does; false: one holding only where it
 * does (what `not` needs of its operand, so that its negation is a superset again).
 */
function translate(filter: CloudEventsFilter, superset: boolean): HeaderCondition {
  if ('exact' in filter) return attributeLeaf('exact', filter.exact, superset);
  if ('prefix' in filter) return attributeLeaf('prefix', filter.prefix, superset);
  if ('suffix' in filter) return attributeLeaf('suffix', filter.suffix, superset);
  if ('all' in filter) return all(filter.all.map((part) => translate(part, superset)));
  if ('any' in filter) return any(filter.any.map((part) => translate(part, superset)));
  return not(translate(filter.not, !superset));
}

function attributeLeaf(
  op: 'exact' | 'prefix' | 'suffix',
  attribute: Readonly<Record<string, string>>,
  superset: boolean,
): HeaderCondition {
  const [name, value] = Object.entries(attribute)[0] as [string, string];
  return leaf(name, op, value, superset);
}

function leaf(
  attribute: string,
  op: 'exact' | 'prefix' | 'suffix',
  value: string,
  whenEncoded: boolean,
): HeaderCondition {
  // Where binary mode carries an attribute: `ce-<name>`, except the content type.
  const header = attribute === 'datacontenttype' ? 'content-type' : `ce-${attribute}`;
  return { header, op, value, whenEncoded };
}

function all(parts: readonly HeaderCondition[]): HeaderCondition {
  if (parts.includes(false)) return false;
  const rest = parts.filter((part) => part !== true);
  if (rest.length === 0) return true;
  return rest.length === 1 ? (rest[0] as HeaderCondition) : { all: rest };
}

function any(parts: readonly HeaderCondition[]): HeaderCondition {
  if (parts.includes(true)) return true;
  const rest = parts.filter((part) => part !== false);
  if (rest.length === 0) return false;
  return rest.length === 1 ? (rest[0] as HeaderCondition) : { any: rest };
}

function not(part: HeaderCondition): HeaderCondition {
  return typeof part === 'boolean' ? !part : { not: part };
}
