import type { StoredMessageJson, TopicJson } from '@eddy/server/api';
import { api, ApiError } from '../api.js';
import { h, mount } from '../dom.js';
import { offsetText, sameOffset } from '../offsets.js';

/** Rows one read shows. */
const PAGE = 50;
/** The gateway's default bound on a search, and its maximum (see GET /v1/topics/{topic}/search). */
const DEFAULT_SCAN = 10_000;
const MAX_SCAN = 100_000;

type Mode = 'offset' | 'time' | 'key' | 'text';

const MODES: readonly { id: Mode; label: string; placeholder: string }[] = [
  { id: 'offset', label: 'From offset', placeholder: 'oldest' },
  { id: 'time', label: 'From time', placeholder: '2026-12-06T13:45:00Z or epoch ms' },
  { id: 'key', label: 'By key', placeholder: 'exact key' },
  { id: 'text', label: 'Payload contains', placeholder: 'text (case-sensitive)' },
];

const plural = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;

/**
 * The messages panel of the topic page: read a partition from an offset or a time, or search the
 * topic by key or by text in the payload (the gateway reads at most the stated number of events).
 * Each row links to the event page.
 */
export function topicMessages(topicName: string): {
  root: HTMLElement;
  setTopic(topic: TopicJson): void;
} {
  const mode = h(
    'select',
    { id: 'browse-mode', 'aria-label': 'how to find events' },
    ...MODES.map((m) => h('option', { value: m.id }, m.label)),
  );
  const partition = h('select', { id: 'browse-partition', 'aria-label': 'partition' });
  const value = h('input', { id: 'browse-value', type: 'text', 'aria-label': 'offset, time, key or text' });
  const scan = h('input', {
    id: 'browse-scan',
    type: 'number',
    min: 1,
    max: MAX_SCAN,
    value: DEFAULT_SCAN,
    'aria-label': 'most events to scan',
  });
  const scanLabel = h('label', { class: 'scan-label' }, 'Scan at most ', scan);
  const go = h('button', { type: 'submit', class: 'primary', id: 'browse-go' }, 'Read');
  const next = h('button', { type: 'button', id: 'browse-next', hidden: true }, 'Newer ›');
  const note = h('p', { class: 'status', id: 'browse-note' });
  const body = h('tbody');
  let partitions: readonly number[] = [];
  let cursor: { partition: number; offset: string } | undefined;

  const searching = () => mode.value === 'key' || mode.value === 'text';

  function renderPartitions(): void {
    const wanted = [...(searching() ? [''] : []), ...partitions.map(String)];
    const current = partition.value;
    mount(
      partition,
      ...wanted.map((id) => h('option', { value: id }, id === '' ? 'all partitions' : `partition ${id}`)),
    );
    partition.value = wanted.includes(current) ? current : (wanted[0] ?? '');
  }

  function renderMode(): void {
    value.placeholder = MODES.find((m) => m.id === mode.value)?.placeholder ?? '';
    scanLabel.hidden = !searching();
    go.textContent = searching() ? 'Search' : 'Read';
    renderPartitions();
  }
  let wasSearching = false;
  mode.addEventListener('change', () => {
    value.value = '';
    renderMode();
    // A search starts over the whole topic; reading goes back to one partition.
    if (searching() && !wasSearching) partition.value = '';
    wasSearching = searching();
  });

  function renderRows(messages: readonly StoredMessageJson[]): void {
    if (messages.length === 0) {
      mount(body, h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No events.')));
      return;
    }
    mount(
      body,
      ...messages.map((message) =>
        h(
          'tr',
          { 'data-offset': message.offset, 'data-partition': message.partition },
          h('td', { class: 'num' }, message.partition),
          h(
            'td',
            {},
            h(
              'a',
              {
                href: `#/event/${encodeURIComponent(topicName)}/${message.partition}/${encodeURIComponent(message.offset)}`,
              },
              offsetText(message.offset),
            ),
          ),
          h('td', { class: 'nowrap' }, message.publishedAt.replace('T', ' ').slice(0, 23)),
          h('td', {}, message.key ?? ''),
          h('td', {}, message.event?.type ?? '(not a CloudEvent)'),
          h(
            'td',
            { class: 'data', title: JSON.stringify(message.event?.data ?? null) },
            JSON.stringify(message.event?.data ?? null),
          ),
        ),
      ),
    );
  }

  function say(text: string, kind: 'ok' | 'error' | '' = ''): void {
    note.textContent = text;
    note.className = `status ${kind}`;
  }

  /** Reads a page of one partition from an offset (inclusive), dropping `drop` (already shown). */
  async function readFrom(part: number, from: string | undefined, drop?: string): Promise<void> {
    const messages = (await api.messages(topicName, part, from, PAGE + (drop === undefined ? 0 : 1))).filter(
      (message) => drop === undefined || !sameOffset(message.offset, drop),
    );
    show(part, messages.slice(0, PAGE));
  }

  function show(part: number, messages: readonly StoredMessageJson[]): void {
    renderRows(messages);
    const last = messages.at(-1);
    cursor = last === undefined ? undefined : { partition: part, offset: last.offset };
    next.hidden = last === undefined || messages.length < PAGE;
    const first = messages[0];
    say(
      first === undefined || last === undefined
        ? `No events in partition ${part} there.`
        : `Partition ${part}: ${plural(messages.length, 'event')}, offsets ${offsetText(first.offset)}–${offsetText(last.offset)}.`,
    );
  }

  async function run(): Promise<void> {
    const text = value.value.trim();
    const part = partition.value === '' ? undefined : Number(partition.value);
    next.hidden = true;
    switch (mode.value as Mode) {
      case 'offset':
        await readFrom(part ?? 0, text === '' ? undefined : text);
        return;
      case 'time': {
        const time = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (text === '' || !Number.isFinite(time)) {
          say('Give a time: RFC 3339 (2026-12-06T13:45:00Z) or epoch milliseconds.', 'error');
          return;
        }
        const messages = await api.messagesAt(topicName, part ?? 0, time, PAGE);
        show(part ?? 0, messages);
        if (messages.length === 0)
          say(`No event in partition ${part ?? 0} published at or after ${new Date(time).toISOString()}.`);
        return;
      }
      default: {
        if (text === '') {
          say(mode.value === 'key' ? 'Give the key to look for.' : 'Give the text to look for.', 'error');
          return;
        }
        const bound = Number(scan.value);
        if (!Number.isInteger(bound) || bound < 1 || bound > MAX_SCAN) {
          say(`Scan at most 1 to ${MAX_SCAN} events.`, 'error');
          return;
        }
        const found = await api.search(topicName, {
          ...(mode.value === 'key' ? { key: text } : { q: text }),
          ...(part === undefined ? {} : { partition: part }),
          scan: bound,
          limit: PAGE,
        });
        renderRows(found.messages);
        const where = part === undefined ? 'all partitions' : `partition ${part}`;
        say(
          `Scanned ${plural(found.scanned, 'event')} of ${where} (limit ${found.scanLimit}): ${plural(found.messages.length, 'match', 'matches')}` +
            (found.complete
              ? ', nothing else matches.'
              : found.messages.length >= PAGE
                ? `, showing the first ${PAGE}.`
                : '; stopped at the limit before the newest event: raise it or pick a partition.'),
        );
      }
    }
  }

  const form = h('form', { class: 'toolbar', id: 'browse-form' }, mode, partition, value, scanLabel, go);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run().catch((error: unknown) =>
      say(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error), 'error'),
    );
  });
  next.addEventListener('click', () => {
    if (cursor === undefined) return;
    readFrom(cursor.partition, cursor.offset, cursor.offset).catch((error: unknown) =>
      say(error instanceof ApiError ? `${error.code}: ${error.message}` : String(error), 'error'),
    );
  });
  renderMode();
  mount(
    body,
    h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'Choose how to find events, then Read or Search.')),
  );

  const root = h(
    'div',
    {},
    form,
    note,
    h(
      'table',
      { id: 'browse-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'num' }, 'Part.'),
          h('th', {}, 'Offset'),
          h('th', {}, 'Published (UTC)'),
          h('th', {}, 'Key'),
          h('th', {}, 'Type'),
          h('th', {}, 'Data'),
        ),
      ),
      body,
    ),
    h('div', { class: 'pager' }, next),
  );

  return {
    root,
    setTopic(topic: TopicJson) {
      const ids = topic.partitionInfo.map((info) => info.partition);
      if (ids.join() === partitions.join()) return;
      const first = partitions.length === 0;
      partitions = ids;
      renderPartitions();
      // Start on a partition that has events, not on an empty one.
      const busy = topic.partitionInfo.find((info) => info.lastOffset !== undefined);
      if (first && !searching() && busy !== undefined) partition.value = String(busy.partition);
    },
  };
}
