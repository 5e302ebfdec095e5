import type { Point } from './stats.js';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly Point[];
}

export const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#db2777',
  '#ea580c',
  '#7c3aed',
  '#0891b2',
  '#ca8a04',
  '#475569',
];

/** Time spans a chart can show, as the range selects offer them. */
export const SPANS = [
  { id: '1m', label: 'last minute', ms: 60_000 },
  { id: '15m', label: 'last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'last hour', ms: 3_600_000 },
  { id: '6h', label: 'last 6 hours', ms: 6 * 3_600_000 },
] as const;

export type SpanId = (typeof SPANS)[number]['id'];

export function spanMs(id: string): number {
  return SPANS.find((span) => span.id === id)?.ms ?? 15 * 60_000;
}

function spanText(ms: number): string {
  if (ms >= 3_600_000) return `-${ms / 3_600_000}h`;
  if (ms >= 60_000) return `-${ms / 60_000}m`;
  return `-${ms / 1000}s`;
}

/**
 * Draws lines over the last `span` ms (time on x, gaps where a value is null) on a canvas sized to
 * its CSS box. The canvas gets `data-points` (points drawn) and `data-oldest` (epoch ms of the
 * oldest), which say what the picture holds to tests and to anyone inspecting the page.
 */
export function drawChart(
  canvas: HTMLCanvasElement,
  series: readonly Series[],
  span: number,
  now = Date.now(),
): void {
  const start = now - span;
  const visible = series.map((line) => ({
    ...line,
    points: line.points.filter((point) => point.at >= start && point.at <= now),
  }));
  const drawn = visible.flatMap((line) => line.points.filter((point) => point.value !== null));
  canvas.dataset['points'] = String(drawn.length);
  canvas.dataset['oldest'] = String(Math.min(...drawn.map((point) => point.at), now));
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (width === 0 || height === 0) return;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext('2d');
  if (context === null) return;
  context.scale(ratio, ratio);
  context.clearRect(0, 0, width, height);
  const left = 44;
  const bottom = height - 20;
  const top = 10;
  const max = Math.max(1, ...drawn.map((point) => point.value ?? 0));
  const scale = niceCeiling(max);
  context.font = '11px system-ui, sans-serif';
  context.fillStyle = '#64748b';
  context.strokeStyle = '#e2e8f0';
  context.lineWidth = 1;
  for (let step = 0; step <= 4; step += 1) {
    const y = bottom - ((bottom - top) * step) / 4;
    context.beginPath();
    context.moveTo(left, y);
    context.lineTo(width - 8, y);
    context.stroke();
    const label = (scale * step) / 4;
    context.fillText(Number.isInteger(label) ? String(label) : label.toFixed(label < 1 ? 2 : 1), 4, y + 4);
  }
  context.fillText(spanText(span), left, height - 4);
  context.fillText('now', width - 30, height - 4);
  const x = (at: number) => left + ((width - 8 - left) * (at - start)) / span;
  for (const line of visible) {
    context.strokeStyle = line.color;
    context.fillStyle = line.color;
    context.lineWidth = 2;
    context.beginPath();
    let open = false;
    for (const point of line.points) {
      if (point.value === null) {
        open = false;
        continue;
      }
      const y = bottom - ((bottom - top) * point.value) / scale;
      if (open) context.lineTo(x(point.at), y);
      else context.moveTo(x(point.at), y);
      open = true;
    }
    context.stroke();
    // A lone point (one sample so far) would draw nothing as a line: a dot shows it.
    const last = line.points.at(-1);
    if (line.points.length === 1 && last !== undefined && last.value !== null) {
      context.beginPath();
      context.arc(x(last.at), bottom - ((bottom - top) * last.value) / scale, 2, 0, 2 * Math.PI);
      context.fill();
    }
  }
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}
