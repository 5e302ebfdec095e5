/** Where a `dataschema` URI says the data's schema is registered. */
export interface DataSchemaRef {
  readonly subject: string;
  readonly version: number;
}

const PATH = /\/subjects\/([^/]+)\/versions\/([1-9][0-9]*)$/;

/** `<base>/subjects/<subject>/versions/<version>`: what a Confluent-compatible registry answers at `<base>`. */
export function dataSchemaUri(base: string, ref: DataSchemaRef): string {
  return `${base}/subjects/${encodeURIComponent(ref.subject)}/versions/${ref.version}`;
}

/** The subject and version a `dataschema` URI names, or undefined when it names none. */
export function parseDataSchemaUri(uri: unknown): DataSchemaRef | undefined {
  if (typeof uri !== 'string') return undefined;
  const match = PATH.exec(uri);
  if (match === null) return undefined;
  let subject: string;
  try {
    subject = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  return { subject, version: Number(match[2]) };
}

/** The same URI pointing at another version of another subject, keeping its base. */
export function withDataSchemaRef(uri: string, ref: DataSchemaRef): string {
  return dataSchemaUri(uri.replace(PATH, ''), ref);
}
