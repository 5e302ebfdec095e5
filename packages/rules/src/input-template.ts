/**
 * Where a placeholder stands, which decides how its value is written:
 * - `value`: in a JSON template where a JSON value goes (`{ "id": <id> }`): the value as JSON;
 * - `string`: inside a JSON string (`"order <id> paid"`): a string's characters, any other value's
 *   JSON, escaped for the string;
 * - `text`: in a plain-text template: a string as it is, any other value as JSON.
 */
export type PlaceholderContext = 'value' | 'string' | 'text';

export type TemplatePart =
  { readonly literal: string } | { readonly variable: string; readonly context: PlaceholderContext };

/** The kinds of template, as EventBridge tells them apart. */
export type TemplateKind = 'json' | 'string' | 'text';

export interface ParsedTemplate {
  readonly kind: TemplateKind;
  readonly parts: readonly TemplatePart[];
}

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/y;

/**
 * Splits a template into literal text and placeholders. A template whose first non-blank
 * character is `{`, `[` or `"` is JSON (an object or array: `json`; one string: `string`) and must
 * parse once its placeholders are filled in; any other is plain text. Only names `isVariable`
 * accepts are placeholders; inside strings and text another `<word>` stays as written (it may be
 * markup), but where a JSON value goes it is an error. Returns why the template is invalid otherwise.
 */
export function parseTemplate(
  template: string,
  isVariable: (name: string) => boolean,
): ParsedTemplate | string {
  const first = template.trimStart()[0];
  const json = first === '{' || first === '[' || first === '"';
  const parts: TemplatePart[] = [];
  let literal = '';
  let inString = false;
  /** Index in `parts` of the first placeholder of the string being read, to tell keys apart. */
  let stringStart = -1;
  let probe = '';
  for (let i = 0; i < template.length;) {
    const char = template[i]!;
    if (char === '<') {
      PLACEHOLDER.lastIndex = i;
      const match = PLACEHOLDER.exec(template);
      const name = match?.[1];
      if (match !== null && name !== undefined && isVariable(name)) {
        const context: PlaceholderContext = !json ? 'text' : inString ? 'string' : 'value';
        if (literal !== '') parts.push({ literal });
        literal = '';
        if (context === 'value') {
          if (/^\s*:/.test(template.slice(i + match[0].length))) {
            return `<${name}> is used as an object key; placeholders go where values go`;
          }
          probe += 'null';
        }
        parts.push({ variable: name, context });
        i += match[0].length;
        continue;
      }
      if (json && !inString) {
        return name === undefined
          ? `"<" at position ${i} is not a placeholder; write <name> with a name from inputPathsMap`
          : `<${name}> is not a variable: add it to inputPathsMap, or use a predefined one such as <eddy.rule-name>`;
      }
    }
    if (json) {
      if (inString) {
        if (char === '\\') {
          literal += template.slice(i, i + 2);
          probe += template.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (char === '"') {
          inString = false;
          if (
            /^\s*:/.test(template.slice(i + 1)) &&
            parts.slice(stringStart).some((part) => 'variable' in part)
          ) {
            return 'a placeholder is used inside an object key; placeholders go where values go';
          }
        }
      } else if (char === '"') {
        inString = true;
        stringStart = parts.length;
      }
      probe += char;
    }
    literal += char;
    i++;
  }
  if (literal !== '') parts.push({ literal });
  if (!json) return { kind: 'text', parts };
  let parsed: unknown;
  try {
    parsed = JSON.parse(probe);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `a template starting with ${JSON.stringify(first)} must be valid JSON once its variables are filled in (${reason})`;
  }
  return { kind: typeof parsed === 'string' ? 'string' : 'json', parts };
}
