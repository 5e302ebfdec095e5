import { HISTORY, type TopicSample } from './stats.js';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly samples: readonly TopicSample[];
  readonly value: (sample: TopicSample) => number;
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

/** Draws rate lines over the last `HISTORY` seconds on a canvas, sized to its CSS box. */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[]): void {
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
  const max = Math.max(1, ...series.flatMap((s) => s.samples.map(s.value)));
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
  context.fillText(`-${HISTORY}s`, left, height - 4);
  context.fillText('now', width - 30, height - 4);
  const x = (index: number) => left + ((width - 8 - left) * index) / (HISTORY - 1);
  for (const line of series) {
    const offset = HISTORY - line.samples.length;
    context.strokeStyle = line.color;
    context.lineWidth = 2;
    context.beginPath();
    line.samples.forEach((sample, index) => {
      const y = bottom - ((bottom - top) * line.value(sample)) / scale;
      if (index === 0) context.moveTo(x(offset + index), y);
      else context.lineTo(x(offset + index), y);
    });
    context.stroke();
  }
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}
