// An Eddy error's `code` is its contract (users match on it; the class can be renamed or shared by
// several codes), so a test that only checks the class or `isEddyError(x)` passes when the wrong
// error of the right family is thrown. This check finds, in every test file, assertions on an error
// class (`toBeInstanceOf(XError)`, `toThrow(XError)`, `toThrowError(XError)`, `instanceof XError`
// inside an `expect(...)`) and bare `expect(isEddyError(x))`, and fails unless a code is asserted
// within a few lines of it.
//
// Why a text scan and not a lint rule: "a code is checked nearby" spans statements
// (`const error = …; expect(error).toBeInstanceOf(X); expect(error.code).toBe(…)`), which an AST
// selector in no-restricted-syntax cannot express, and a custom ESLint plugin would be more code
// than this. The window is small on purpose: a code checked further away is not about this error.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Lines before and after the assertion in which a code check counts as "nearby".
const WINDOW_LINES = 3;
// Errors that are not Eddy's and carry no code: JavaScript's own, and node:assert's.
const FOREIGN = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'AssertionError']);
const CLASS_ASSERTION = /\.(?:toBeInstanceOf|toThrow|toThrowError)\(\s*(\w*Error)\s*,?\s*\)/g;
const BARE_IS_EDDY_ERROR = /expect\(\s*isEddyError\(\s*[\w.!?[\]]+\s*\)\s*[,)]/g;
// An instanceof check of an error class anywhere inside one expect statement (a list checked with every, too).
const INSTANCEOF_IN_EXPECT = /expect\([^;]*?\binstanceof\s+(\w*Error)\b/g;
const CODE_CHECK = /\bcode\b|ErrorCodes\.|'EDDY_[A-Z0-9_]+'|isEddyError\([^,()]+,/;

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every .ts file in a `test` folder of a package or example, the repository's own test/, and the
 * shared suites in packages/conformance/src (tests too, run by every backend).
 */
function allTestFiles(): string[] {
  const roots = ['packages', 'examples'].flatMap((parent) =>
    readdirSync(join(repoRoot, parent)).map((name) => join(repoRoot, parent, name, 'test')),
  );
  return [...roots, join(repoRoot, 'test'), join(repoRoot, 'packages/conformance/src')].flatMap(testFiles);
}

/** `file:line assertion` for each error assertion in `text` with no code check near it. */
export function uncodedErrorAssertions(file: string, text: string): string[] {
  const lines = text.split('\n');
  const lineOf = (index: number): number => text.slice(0, index).split('\n').length - 1;
  const found: string[] = [];
  const report = (index: number, length: number): void => {
    const first = lineOf(index);
    const last = lineOf(index + length);
    const nearby = lines.slice(Math.max(0, first - WINDOW_LINES), last + WINDOW_LINES + 1).join('\n');
    if (!CODE_CHECK.test(nearby)) found.push(`${file}:${first + 1} ${lines[first]!.trim()}`);
  };
  for (const match of text.matchAll(CLASS_ASSERTION)) {
    if (!FOREIGN.has(match[1]!)) report(match.index, match[0].length);
  }
  for (const match of text.matchAll(BARE_IS_EDDY_ERROR)) report(match.index, match[0].length);
  for (const match of text.matchAll(INSTANCEOF_IN_EXPECT)) {
    if (!FOREIGN.has(match[1]!)) report(match.index, match[0].length);
  }
  return found;
}

it('recognises an error class assertion without a code, and accepts one with a code nearby', () => {
  const bare = ['it("x", async () => {', '  await expect(run()).rejects.toBeInstanceOf(ClosedError);', '});'];
  const coded = [...bare.slice(0, 2), "  expect(error.code).toBe('EDDY_CLOSED');", '});'];
  expect(uncodedErrorAssertions('bare.ts', bare.join('\n'))).toEqual([
    'bare.ts:2 await expect(run()).rejects.toBeInstanceOf(ClosedError);',
  ]);
  expect(uncodedErrorAssertions('coded.ts', coded.join('\n'))).toEqual([]);
  expect(uncodedErrorAssertions('split.ts', 'expect(() => f()).toThrow(\n  DecodeError,\n);')).toHaveLength(
    1,
  );
  expect(uncodedErrorAssertions('is.ts', 'expect(isEddyError(error)).toBe(true);')).toHaveLength(1);
  expect(
    uncodedErrorAssertions('is.ts', 'expect(isEddyError(error, ErrorCodes.Closed)).toBe(true);'),
  ).toEqual([]);
  expect(uncodedErrorAssertions('plain.ts', 'expect(() => f()).toThrow(RangeError);')).toEqual([]);
  expect(
    uncodedErrorAssertions('every.ts', 'expect(errors.every((e) => e instanceof TimeoutError)).toBe(true);'),
  ).toHaveLength(1);
});

it('every test that asserts an Eddy error class or isEddyError also asserts its code', () => {
  // This file's own examples are assertions without codes on purpose.
  const files = allTestFiles().filter((file) => file !== fileURLToPath(import.meta.url));
  expect(files.length).toBeGreaterThan(50);
  const uncoded = files.flatMap((file) =>
    uncodedErrorAssertions(file.slice(repoRoot.length), readFileSync(file, 'utf8')),
  );
  expect(uncoded).toEqual([]);
});
