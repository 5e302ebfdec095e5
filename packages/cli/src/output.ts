import { Presets, SingleBar } from 'cli-progress';

/** Where commands write; injectable so `runCli` can be driven in-process. */
export interface Io {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** Prints rows as an aligned text table (header first). */
/** A table cell; null and undefined print as `-`. */
export type Cell = string | number | boolean | null | undefined;

export function printTable(io: Io, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const cells = [
    header,
    ...rows.map((row) => row.map((cell) => (cell === undefined || cell === null ? '-' : String(cell)))),
  ];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  for (const row of cells) {
    io.stdout.write(
      `${row
        .map((cell, column) => (cell ?? '').padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A progress bar on stderr, drawn only on a terminal and never in `--json` mode. */
export interface Progress {
  tick(by?: number): void;
  stop(): void;
}

export function startProgress(io: Io, label: string, total: number, enabled: boolean): Progress {
  if (!enabled || io.stderr.isTTY !== true || total <= 1) return { tick() {}, stop() {} };
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
      stream: io.stderr as NodeJS.WritableStream,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: (by = 1) => bar.increment(by),
    stop: () => bar.stop(),
  };
}

/** Offsets travel zero-padded (`0000000000000042`); people read `42`. */
export function offsetText(offset: string | null | undefined): string | undefined {
  if (offset === null || offset === undefined) return undefined;
  return /^\d+$/.test(offset) ? BigInt(offset).toString() : offset;
}
