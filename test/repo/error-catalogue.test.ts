// One error catalogue per package, every code documented, no documented code stale. A code is a
// promise to users (they match on it), so the catalogue, the sources and docs/reference/errors.md must agree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const packagesDir = join(repoRoot, 'packages');
const errorsDoc = 'docs/reference/errors.md';
const documentation = readFileSync(join(repoRoot, errorsDoc), 'utf8');

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const packages = readdirSync(packagesDir).filter((name) => existsSync(join(packagesDir, name, 'src')));

/** `export const <Name>ErrorCodes = { … } as const` blocks, by package. */
const catalogues = packages.flatMap((pkg) =>
  sourceFiles(join(packagesDir, pkg, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/export const (\w*ErrorCodes) = \{([\s\S]*?)\} as const;/g)].map(
      (match) => ({
        pkg,
        file: file.slice(repoRoot.length),
        name: match[1]!,
        codes: [...match[2]!.matchAll(/'(EDDY_[A-Z0-9_]+)'/g)].map((code) => code[1]!),
      }),
    ),
  ),
);
const catalogued = new Set(catalogues.flatMap((catalogue) => catalogue.codes));

/** Every `'EDDY_…'` literal in any package's sources, except environment variable names (`env['EDDY_…']`). */
function codesInSources(): Map<string, string> {
  const found = new Map<string, string>();
  for (const pkg of packages) {
    for (const file of sourceFiles(join(packagesDir, pkg, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(.)'(EDDY_[A-Z0-9_]+)'/g)) {
        if (match[1] !== '[') found.set(match[2]!, file.slice(repoRoot.length));
      }
    }
  }
  return found;
}

/** Codes in the first column of the tables in docs/reference/errors.md. */
const documented = new Set(
  [...documentation.matchAll(/^\| `(EDDY_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]!),
);

describe('error catalogues', () => {
  it('keeps at most one catalogue per package, in its errors.ts (core: errors/codes.ts)', () => {
    const misplaced = catalogues
      .filter(
        ({ file, pkg }) =>
          file !== `packages/${pkg}/src/errors.ts` && file !== 'packages/core/src/errors/codes.ts',
      )
      .map(({ file, name }) => `${name} in ${file}`);
    expect(misplaced).toEqual([]);
    const perPackage = new Map<string, number>();
    for (const { pkg } of catalogues) perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + 1);
    expect([...perPackage].filter(([, count]) => count > 1)).toEqual([]);
  });

  it('gives each code one meaning across all packages', () => {
    const all = catalogues.flatMap((catalogue) => catalogue.codes);
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });

  it('has every code used in any source file in a catalogue', () => {
    const loose = [...codesInSources()]
      .filter(([code]) => !catalogued.has(code))
      .map(([code, file]) => `${code} (${file})`);
    expect(loose).toEqual([]);
  });

  it(`documents every catalogued code in ${errorsDoc}`, () => {
    expect([...catalogued].filter((code) => !documented.has(code))).toEqual([]);
  });

  it(`documents no code that no catalogue has (${errorsDoc} is not stale)`, () => {
    expect([...documented].filter((code) => !catalogued.has(code))).toEqual([]);
  });
});
