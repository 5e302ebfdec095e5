// Runs every benchmark script in this folder, one after another, in one process tree, so that
// Eddy's transports and the brokers used directly are measured side by side on one machine state.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { printTable, type BenchRow } from './lib/report.js';

const benchDir = fileURLToPath(new URL('./', import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script} ===`);
  const result = spawnSync(
    process.execPath,
    ['--conditions=@eddy/source', '--import', 'tsx', `${benchDir}${script}`],
    {
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) failed += 1;
}

/** A row of a results array is named by its own `case` (and `size`) fields rather than its index. */
function labelOf(key: string, value: unknown): string {
  if (!/^\d+$/.test(key) || value === null || typeof value !== 'object') return key;
  const { case: name, size } = value as { case?: unknown; size?: unknown };
  if (typeof name !== 'string') return key;
  return typeof size === 'string' || typeof size === 'number' ? `${name}, ${size}` : name;
}

/**
 * The ratios and targets each script reported: every number under a `targets` or `ratios` object,
 * or whose key mentions "ratio", anywhere in bench/results/*.json.
 */
function summary(): BenchRow[] {
  const resultsDir = `${benchDir}results/`;
  const rows: BenchRow[] = [];
  const walk = (file: string, path: string[], value: unknown, inTargets: boolean): void => {
    if (typeof value === 'number') {
      const key = path[path.length - 1] ?? '';
      if (inTargets || /ratio/i.test(key)) {
        rows.push({ script: file, measure: path.join(' / '), value: Number(value.toFixed(2)) });
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      walk(file, [...path, labelOf(key, child)], child, inTargets || key === 'targets' || key === 'ratios');
    }
  };
  let files: string[] = [];
  try {
    files = readdirSync(resultsDir).filter((file) => file.endsWith('.json'));
  } catch {
    return rows;
  }
  for (const file of files.sort()) {
    const { data } = JSON.parse(readFileSync(`${resultsDir}${file}`, 'utf8')) as { data: unknown };
    walk(file.replace(/\.json$/, ''), [], data, false);
  }
  return rows;
}

const load = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
printTable(`Ratios and targets reported in bench/results (load average ${load})`, summary());
process.exit(failed === 0 ? 0 : 1);
