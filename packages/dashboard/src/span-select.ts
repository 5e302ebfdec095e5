import { SPANS, spanMs } from './chart.js';
import { h } from './dom.js';

const SPAN_STORAGE = 'eddy.chartSpan';

/** The time-span select of a page's charts; the choice is kept for the next page load. */
export function spanSelect(onChange: () => void): { element: HTMLSelectElement; span: () => number } {
  const saved = localStorage.getItem(SPAN_STORAGE) ?? '15m';
  const element = h(
    'select',
    { class: 'span-select', 'aria-label': 'chart time span' },
    ...SPANS.map((span) => h('option', { value: span.id, selected: span.id === saved }, span.label)),
  );
  element.addEventListener('change', () => {
    localStorage.setItem(SPAN_STORAGE, element.value);
    onChange();
  });
  return { element, span: () => spanMs(element.value) };
}
