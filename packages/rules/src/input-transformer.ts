import { InvalidTransformerError } from './errors.js';
import { parseTemplate, type TemplateKind, type TemplatePart } from './input-template.js';
import { parseJsonPath, selectPath, type JsonPath } from './json-path.js';

/** A JSON value, as a transformer produces it. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** An EventBridge input transformer, in its two parts. */
export interface InputTransformerOptions {
  /**
   * Variables taken from the event: name (letters, digits, `_`, `-`) to path (`$.data.orderId`,
   * `$.data.items[0].sku`, `$.data.items[*].sku`, `$` for the whole event). At most 100. Default: none.
   */
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  /**
   * What the target receives, with `<name>` placeholders: JSON (`{ "order": <orderId> }`), one
   * JSON string (`"order <orderId> paid"`), or plain text (`order <orderId> paid`). 1 to 8192
   * characters.
   */
  readonly inputTemplate: string;
}

/** Values for the predefined variables, per call. */
export interface TransformContext {
  /** `<eddy.rule-name>` (alias `<aws.events.rule-name>`). Without it the variable is missing. */
  readonly ruleName?: string;
  /** `<eddy.event.ingestion-time>` (alias `<aws.events.event.ingestion-time>`). Default: now. */
  readonly ingestionTime?: Date | string;
}

/** A checked input transformer. */
export interface InputTransformer {
  /** `json` (object, array or other JSON value), `string` (one JSON string) or `text`. */
  readonly kind: TemplateKind;
  /** `application/json` for JSON and string templates, `text/plain` for text ones. */
  readonly contentType: 'application/json' | 'text/plain';
  /** The text a target receives for `event` (its JSON form, `eventView(cloudEvent)` for a CloudEvent). */
  render(event: object, context?: TransformContext): string;
  /** The same as a value: parsed JSON for JSON and string templates, the text for text templates. */
  transform(event: object, context?: TransformContext): JsonValue;
}

export const MAX_VARIABLES = 100;
export const MAX_TEMPLATE_LENGTH = 8192;
export const MAX_PATH_LENGTH = 256;
const VARIABLE_NAME = /^[A-Za-z0-9_-]{1,256}$/;

type Predefined = 'rule-name' | 'event' | 'event.json' | 'ingestion-time';

/**
 * EventBridge's predefined variables under Eddy's names, and under EventBridge's own so templates
 * move over unchanged. `event` is the event without `data`, as EventBridge's is without `detail`.
 */
const PREDEFINED: ReadonlyMap<string, Predefined> = new Map([
  ['eddy.rule-name', 'rule-name'],
  ['aws.events.rule-name', 'rule-name'],
  ['eddy.event', 'event'],
  ['aws.events.event', 'event'],
  ['eddy.event.json', 'event.json'],
  ['aws.events.event.json', 'event.json'],
  ['eddy.event.ingestion-time', 'ingestion-time'],
  ['aws.events.event.ingestion-time', 'ingestion-time'],
]);

/**
 * Checks an input transformer once and returns it ready to apply. Throws `InvalidTransformerError`
 * (`EDDY_INVALID_TRANSFORMER`) saying what is wrong: a bad variable name or path, too many
 * variables, a template that is too long, a JSON template that does not parse, a placeholder used
 * as a key or naming no variable, or `<aws.events.rule-arn>` (Eddy rules have no ARN).
 *
 * Unlike EventBridge, values are escaped where they land inside JSON strings, so a JSON template
 * always yields valid JSON. A variable whose path is missing from the event becomes `null` where
 * a JSON value goes and nothing inside strings and text.
 */
export function createInputTransformer(options: InputTransformerOptions): InputTransformer {
  const paths = new Map<string, JsonPath>();
  const entries = Object.entries(options.inputPathsMap ?? {});
  if (entries.length > MAX_VARIABLES) {
    throw new InvalidTransformerError(
      `inputPathsMap has ${entries.length} variables; at most ${MAX_VARIABLES} are allowed`,
    );
  }
  for (const [name, source] of entries) {
    if (!VARIABLE_NAME.test(name)) {
      throw new InvalidTransformerError(
        `variable name ${JSON.stringify(name)} must be 1 to 256 letters, digits, "_" or "-" (the predefined eddy.* and aws.events.* names are taken)`,
      );
    }
    if (typeof source !== 'string' || source.length > MAX_PATH_LENGTH) {
      throw new InvalidTransformerError(
        `the path of <${name}> must be a string of at most ${MAX_PATH_LENGTH} characters`,
      );
    }
    const path = parseJsonPath(source);
    if (typeof path === 'string') throw new InvalidTransformerError(`the path of <${name}>: ${path}`);
    paths.set(name, path);
  }
  const template = options.inputTemplate;
  if (typeof template !== 'string' || template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
    throw new InvalidTransformerError(
      `inputTemplate must be a string of 1 to ${MAX_TEMPLATE_LENGTH} characters`,
    );
  }
  if (template.includes('<aws.events.rule-arn>')) {
    throw new InvalidTransformerError(
      'Eddy rules have no ARN: use <eddy.rule-name> (or <aws.events.rule-name>) instead of <aws.events.rule-arn>',
    );
  }
  const parsed = parseTemplate(template, (name) => paths.has(name) || PREDEFINED.has(name));
  if (typeof parsed === 'string') throw new InvalidTransformerError(parsed);
  const { kind, parts } = parsed;

  const render = (event: object, context: TransformContext = {}): string => {
    let out = '';
    for (const part of parts) {
      if ('literal' in part) out += part.literal;
      else out += write(resolve(part, event, context), part);
    }
    return out;
  };

  const resolve = (
    part: Extract<TemplatePart, { variable: string }>,
    event: object,
    context: TransformContext,
  ): unknown => {
    const path = paths.get(part.variable);
    if (path !== undefined) return selectPath(path, event);
    switch (PREDEFINED.get(part.variable)) {
      case 'rule-name':
        return context.ruleName;
      case 'event': {
        const { data: _data, ...attributes } = event as Readonly<Record<string, unknown>>;
        return attributes;
      }
      case 'event.json':
        return event;
      case 'ingestion-time': {
        const time = context.ingestionTime ?? new Date();
        return typeof time === 'string' ? time : time.toISOString();
      }
      default:
        return undefined;
    }
  };

  return {
    kind,
    contentType: kind === 'text' ? 'text/plain' : 'application/json',
    render,
    transform(event, context) {
      const text = render(event, context);
      return kind === 'text' ? text : (JSON.parse(text) as JsonValue);
    },
  };
}

/** A value as it lands in its place (see `PlaceholderContext`). */
function write(value: unknown, part: Extract<TemplatePart, { variable: string }>): string {
  const json = value === undefined ? undefined : JSON.stringify(value);
  switch (part.context) {
    case 'value':
      return json ?? 'null';
    case 'string':
      if (value === undefined) return '';
      return JSON.stringify(typeof value === 'string' ? value : json).slice(1, -1);
    case 'text':
      return value === undefined ? '' : typeof value === 'string' ? value : (json ?? '');
  }
}
