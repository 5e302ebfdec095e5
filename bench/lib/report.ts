import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of a benchmark table: a label column plus named numeric or text cells. */
export type BenchRow = Record<string, string | number>;

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

/** Prints rows as an aligned text table, numbers with thousands separators. */
export function printTable(title: string, rows: readonly BenchRow[]): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: string | number | undefined): string =>
    value === undefined
      ? ''
      : typeof value === 'number'
        ? value.toLocaleString('en-US', { maximumFractionDigits: 2 })
        : value;
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (cells: string[]): string =>
    cells.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column]))));
}

/** Writes a benchmark's results as JSON under bench/results/<name>.json. */
export function writeResults(name: string, data: unknown): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}${name}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, data }, null, 2)}\n`,
  );
  console.log(`\nresults written to bench/results/${name}.json`);
}

/** The p-th percentile (0..100) of unsorted samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Runs `work` and returns operations per second for `operations` operations. */
export async function opsPerSecond(operations: number, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return operations / seconds;
}

/** The overall rate of several rounds of equal size: total operations over total time. */
export function overallRate(rates: readonly number[]): number {
  return rates.length / rates.reduce((seconds, perSecond) => seconds + 1 / perSecond, 0);
}

/**
 * Counts deliveries of a consume run: `record` goes in the handler; `done` resolves once `expected`
 * have arrived. Rates start at the first delivery, so one-off group and subscription setup is left
 * out on both sides of a comparison.
 */
export class DeliveryMeter {
  readonly done: Promise<void>;
  #handled = 0;
  #firstAt: bigint | undefined;
  #lastAt: bigint | undefined;
  #finish: () => void = () => undefined;

  constructor(readonly expected: number) {
    this.done = new Promise((resolve) => (this.#finish = resolve));
  }

  /** Counts `count` deliveries. */
  readonly record = (count = 1): void => {
    const now = process.hrtime.bigint();
    this.#firstAt ??= now;
    this.#handled += count;
    if (this.#handled >= this.expected && this.#lastAt === undefined) {
      this.#lastAt = now;
      this.#finish();
    }
  };

  /** Deliveries per second from the first to the last, or to now (e.g. after the last ack is written). */
  rate(until: 'last' | 'now' = 'last'): number {
    const end = until === 'now' ? process.hrtime.bigint() : this.#lastAt;
    if (this.#firstAt === undefined || end === undefined) throw new Error('no complete run to rate');
    return this.expected / (Number(end - this.#firstAt) / 1e9);
  }
}
