/** What the generated file declares so far, shared by every schema written into it. */
export interface Declarations {
  /** Declarations by TypeScript name, in the order they are written. */
  readonly code: Map<string, string>;
  /** Names taken in the file. */
  readonly taken: Set<string>;
  /**
   * TypeScript name by Avro named type (full name and definition): a type that several schemas
   * share, such as one from a referenced subject, is declared once.
   */
  readonly avroNames: Map<string, string>;
}

export function createDeclarations(taken: readonly string[]): Declarations {
  return { code: new Map(), taken: new Set(taken), avroNames: new Map() };
}

/** `base`, or `base2`, `base3`... whichever is not taken yet (not reserved: the caller takes it). */
export function freeName(declarations: Declarations, base: string): string {
  let name = base;
  for (let n = 2; declarations.taken.has(name); n++) name = `${base}${n}`;
  return name;
}

/** A TypeScript identifier in PascalCase from any name (`order.placed` -> `OrderPlaced`). */
export function toIdentifier(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0);
  const joined = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  if (joined === '') return 'Data';
  return /^[0-9]/.test(joined) ? `T${joined}` : joined;
}
