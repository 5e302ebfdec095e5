import { InvalidOptionError } from '@eddy/core/internal';

/**
 * Returns `name` if it is a plain SQL identifier, else throws `EDDY_INVALID_OPTION`. Store table
 * names are interpolated into SQL (SQLite cannot bind identifiers), so nothing else may pass.
 */
export function assertSqlIdentifier(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new InvalidOptionError(`${what} "${name}" must be a plain SQL identifier (letters, digits, _).`);
  }
  return name;
}
