/**
 * A connection URL with its password masked, safe for error messages and logs. Falls back to a
 * pattern for strings `URL` cannot parse, so a malformed URL given by a user is masked too.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:@/]*:)[^@/]*@/, '$1***@');
  }
}
