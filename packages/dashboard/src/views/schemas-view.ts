import { diffLines } from 'diff';
import type { RegistrySubjectVersionJson } from '@eddy/server/api';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import type { View } from './view.js';

/** The subject list is read again every this many updates (one a second): schemas change rarely. */
const REFRESH_EVERY = 5;

interface SubjectRow {
  readonly subject: string;
  readonly latest: RegistrySubjectVersionJson;
  readonly versions: readonly number[];
  readonly compatibility: string;
}

/** Schema text as the diff compares it: JSON (Avro, JSON Schema) pretty-printed, Protobuf as written. */
function pretty(found: RegistrySubjectVersionJson): string {
  if (found.schemaType === 'PROTOBUF')
    return found.schema.endsWith('\n') ? found.schema : `${found.schema}\n`;
  try {
    return `${JSON.stringify(JSON.parse(found.schema), null, 2)}\n`;
  } catch {
    return `${found.schema}\n`;
  }
}

/** Subjects of the registry with their versions and compatibility level; a line diff between two versions. */
export function schemasView(selected?: string): View {
  const body = h('tbody');
  const detail = h('div', { class: 'schema-detail' });
  const status = h('p', { class: 'status', role: 'status' });
  let ticks = 0;
  let rows: SubjectRow[] = [];
  let shownSubject: string | undefined;

  const loadRows = async (): Promise<SubjectRow[]> => {
    const subjects = await api.subjects();
    return Promise.all(
      subjects.map(async (subject) => {
        const [latest, versions, compatibility] = await Promise.all([
          api.subjectVersion(subject, 'latest'),
          api.subjectVersions(subject),
          api.compatibility(subject),
        ]);
        return { subject, latest, versions, compatibility };
      }),
    );
  };

  const renderTable = () => {
    mount(
      body,
      ...rows.map((row) =>
        h(
          'tr',
          { 'data-subject': row.subject, class: row.subject === selected ? 'selected' : undefined },
          h('td', {}, h('a', { href: `#/schemas/${encodeURIComponent(row.subject)}` }, row.subject)),
          h('td', {}, row.latest.schemaType ?? 'AVRO'),
          h('td', { class: 'num' }, row.latest.version),
          h('td', { class: 'num' }, row.versions.length),
          h('td', {}, row.compatibility),
        ),
      ),
    );
    if (rows.length === 0) {
      mount(body, h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No schemas registered yet.')));
    }
  };

  const showDiff = async (subject: string, from: number, to: number, output: HTMLElement) => {
    try {
      const [left, right] = await Promise.all([
        api.subjectVersion(subject, from),
        api.subjectVersion(subject, to),
      ]);
      const lines = diffLines(pretty(left), pretty(right)).flatMap((change) => {
        const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
        const mark = change.added ? '+' : change.removed ? '-' : ' ';
        return change.value
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => h('span', { class: `line ${kind}` }, `${mark} ${line}`));
      });
      mount(output, ...lines);
      output.dataset['from'] = String(from);
      output.dataset['to'] = String(to);
    } catch (error) {
      mount(output, `Cannot read the versions: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const renderDetail = (row: SubjectRow) => {
    shownSubject = row.subject;
    const versions = row.versions;
    const latest = versions.at(-1) ?? row.latest.version;
    const previous = versions.at(-2) ?? latest;
    const choose = (id: string, value: number) =>
      h(
        'select',
        { id, onchange: () => void refreshDiff() },
        ...versions.map((version) =>
          h('option', { value: version, selected: version === value }, `version ${version}`),
        ),
      );
    const fromSelect = choose('schema-from', previous);
    const toSelect = choose('schema-to', latest);
    const output = h('pre', { id: 'schema-diff', class: 'diff' });
    const refreshDiff = () => showDiff(row.subject, Number(fromSelect.value), Number(toSelect.value), output);
    mount(
      detail,
      h('h2', {}, row.subject),
      h(
        'p',
        { class: 'hint' },
        `${row.latest.schemaType ?? 'AVRO'} · ${versions.length} version(s) · compatibility ${row.compatibility} · latest schema id ${row.latest.id}`,
      ),
      h(
        'div',
        { class: 'toolbar' },
        h('label', {}, 'Diff ', fromSelect),
        h('label', {}, ' against ', toSelect),
      ),
      output,
    );
    void refreshDiff();
  };

  const root = h(
    'section',
    {},
    h('h1', {}, 'Schemas'),
    h(
      'p',
      { class: 'hint' },
      'Subjects of the registry (/registry), their versions and the compatibility level in force. ' +
        'Pick a subject to compare two of its versions line by line.',
    ),
    status,
    h(
      'table',
      { id: 'schemas-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Subject'),
          h('th', {}, 'Type'),
          h('th', { class: 'num' }, 'Latest'),
          h('th', { class: 'num' }, 'Versions'),
          h('th', {}, 'Compatibility'),
        ),
      ),
      body,
    ),
    detail,
  );

  return {
    root,
    async update() {
      if (ticks++ % REFRESH_EVERY !== 0) return;
      try {
        rows = await loadRows();
        status.textContent = '';
        status.className = 'status';
      } catch (error) {
        status.textContent = `Cannot read the registry: ${error instanceof Error ? error.message : String(error)}`;
        status.className = 'status error';
        return;
      }
      renderTable();
      const row = rows.find((candidate) => candidate.subject === selected);
      // The detail is drawn once per subject (or when its versions change), so a chosen diff stays.
      if (
        row !== undefined &&
        (shownSubject !== row.subject || detail.dataset['versions'] !== row.versions.join())
      ) {
        detail.dataset['versions'] = row.versions.join();
        renderDetail(row);
      }
    },
  };
}
