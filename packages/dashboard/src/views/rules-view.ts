import type { RuleJson } from '@eddy/server/api';
import { ApiError, api } from '../api.js';
import { h, mount } from '../dom.js';
import type { View } from './view.js';

type RuleTarget = RuleJson['targets'][number];

/** What the gateway answers when it was started without a rule store. */
const NO_STORE =
  'This gateway has no rule store: rules are served when it opens the embedded SQLite log, or when it is given a store (createServer({ rules })).';

/** An event to try a pattern on before the user writes one. */
const SAMPLE_EVENT = {
  specversion: '1.0',
  id: 'example-1',
  source: '/shop',
  type: 'order.placed',
  data: { orderId: 'o-1', total: 120 },
};

function destination(target: RuleTarget): string {
  switch (target.kind) {
    case 'topic':
      return `topic ${target.topic}${target.type === undefined ? '' : ` as ${target.type}`}`;
    case 'webhook':
      return `POST ${target.url}`;
    case 'handler':
      return `handler ${target.handler}`;
  }
}

function message(error: unknown): string {
  // Without a store the routes are not there at all: the gateway's "No route" answer.
  if (error instanceof ApiError && error.status === 404 && error.message.startsWith('No route'))
    return NO_STORE;
  return error instanceof Error ? error.message : String(error);
}

/** Counts as `matched / delivered / failed` cells, the failed one marked when above zero. */
function countCells(rule: RuleJson): HTMLTableCellElement[] {
  return [
    h('td', { class: 'num matched' }, rule.counts.matched),
    h('td', { class: 'num delivered' }, rule.counts.delivered),
    h('td', { class: `num failed${rule.counts.failed > 0 ? ' warn' : ''}` }, rule.counts.failed),
  ];
}

/** Every rule with its targets and counts; a click opens one. */
function ruleListView(): View {
  const body = h('tbody');
  const status = h('p', { class: 'status', role: 'status' });
  const root = h(
    'section',
    {},
    h('h1', {}, 'Rules'),
    h(
      'p',
      { class: 'hint' },
      'Content rules route events to topics, webhooks and handlers. Counts are what the rule engines ' +
        'have reported so far: events matched, deliveries that reached a target, deliveries dead-lettered.',
    ),
    status,
    h(
      'table',
      { id: 'rules-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Rule'),
          h('th', {}, 'State'),
          h('th', {}, 'Targets'),
          h('th', { class: 'num' }, 'Matched'),
          h('th', { class: 'num' }, 'Delivered'),
          h('th', { class: 'num' }, 'Failed'),
        ),
      ),
      body,
    ),
  );
  return {
    root,
    async update() {
      let rules: readonly RuleJson[];
      try {
        rules = await api.rules();
      } catch (error) {
        status.textContent = message(error);
        status.className = 'status error';
        mount(body);
        return;
      }
      status.textContent = '';
      status.className = 'status';
      mount(
        body,
        ...rules.map((rule) =>
          h(
            'tr',
            { 'data-rule': rule.name },
            h('td', {}, h('a', { href: `#/rules/${encodeURIComponent(rule.name)}` }, rule.name)),
            h('td', { class: rule.enabled ? 'ok' : 'muted' }, rule.enabled ? 'enabled' : 'disabled'),
            h('td', { class: 'targets' }, rule.targets.map((t) => `${t.id}: ${destination(t)}`).join('\n')),
            ...countCells(rule),
          ),
        ),
      );
      if (rules.length === 0)
        mount(
          body,
          h(
            'tr',
            {},
            h('td', { colspan: 6, class: 'empty' }, 'No rules yet. Create one with eddy rules put.'),
          ),
        );
    },
  };
}

/** One rule: its pattern, targets and counts, a switch to turn it on or off, and a pattern tester. */
function ruleDetailView(name: string): View {
  const status = h('p', { class: 'status', role: 'status' });
  const summary = h('div', { class: 'detail' });
  const pattern = h('pre', { id: 'rule-pattern' });
  const targets = h('tbody');
  const eventInput = h('textarea', {
    id: 'rule-test-event',
    rows: 10,
    spellcheck: false,
    'aria-label': 'Event (CloudEvent JSON)',
  });
  eventInput.value = JSON.stringify(SAMPLE_EVENT, null, 2);
  const testResult = h('p', { id: 'rule-test-result', class: 'status', role: 'status' });
  let current: RuleJson | undefined;

  const toggle = async (): Promise<void> => {
    if (current === undefined) return;
    const { pattern: p, targets: t, description, enabled } = current;
    try {
      current = await api.putRule(current.name, {
        pattern: p,
        targets: t,
        enabled: !enabled,
        ...(description === undefined ? {} : { description }),
      });
      status.textContent = `Rule ${name} ${current.enabled ? 'enabled' : 'disabled'}.`;
      status.className = 'status ok';
      render(current);
    } catch (error) {
      status.textContent = `Failed: ${message(error)}`;
      status.className = 'status error';
    }
  };

  const test = async (): Promise<void> => {
    if (current === undefined) return;
    let event: unknown;
    try {
      event = JSON.parse(eventInput.value);
    } catch (error) {
      testResult.textContent = `The event is not JSON: ${(error as Error).message}`;
      testResult.className = 'status error';
      return;
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      testResult.textContent = 'The event must be a JSON object (a CloudEvent with its attributes and data).';
      testResult.className = 'status error';
      return;
    }
    try {
      const { matched } = await api.testPattern({
        pattern: current.pattern,
        event: event as Record<string, unknown>,
      });
      testResult.textContent = matched ? 'The pattern matches this event.' : 'The pattern does not match.';
      testResult.className = `status ${matched ? 'ok' : 'error'}`;
    } catch (error) {
      testResult.textContent = message(error);
      testResult.className = 'status error';
    }
  };

  const switchButton = h('button', { 'data-action': 'toggle-rule', onclick: () => void toggle() }, 'Disable');

  function render(rule: RuleJson): void {
    switchButton.textContent = rule.enabled ? 'Disable' : 'Enable';
    mount(
      summary,
      h(
        'dl',
        {},
        h('dt', {}, 'State'),
        h('dd', { id: 'rule-state' }, rule.enabled ? 'enabled' : 'disabled'),
        h('dt', {}, 'Version'),
        h('dd', {}, rule.version),
        h('dt', {}, 'Updated'),
        h('dd', {}, rule.updatedAt),
        rule.description === undefined ? null : h('dt', {}, 'Description'),
        rule.description === undefined ? null : h('dd', {}, rule.description),
        h('dt', {}, 'Counts'),
        h(
          'dd',
          { id: 'rule-counts' },
          `${rule.counts.matched} matched, ${rule.counts.delivered} delivered, ${rule.counts.failed} failed`,
        ),
      ),
    );
    pattern.textContent = JSON.stringify(rule.pattern, null, 2);
    mount(
      targets,
      ...rule.targets.map((target) =>
        h(
          'tr',
          { 'data-target': target.id },
          h('td', {}, target.id),
          h('td', {}, target.kind),
          h('td', { class: 'wrap' }, destination(target)),
          h('td', { class: 'num' }, target.maxAttempts ?? 'default'),
          h('td', { class: 'wrap' }, target.inputTransformer === undefined ? '' : 'input transformer'),
        ),
      ),
    );
  }

  const root = h(
    'section',
    {},
    h('p', {}, h('a', { href: '#/rules' }, '← All rules')),
    h('h1', {}, `Rule ${name}`),
    status,
    summary,
    h('div', { class: 'toolbar' }, switchButton),
    h('h2', {}, 'Pattern'),
    pattern,
    h('h2', {}, 'Targets'),
    h(
      'table',
      { id: 'rule-targets' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Target'),
          h('th', {}, 'Kind'),
          h('th', {}, 'Destination'),
          h('th', { class: 'num' }, 'Attempts'),
          h('th', {}, ''),
        ),
      ),
      targets,
    ),
    h('h2', {}, 'Test the pattern'),
    h(
      'p',
      { class: 'hint' },
      'Paste an event in its CloudEvents JSON form; the gateway matches the pattern above.',
    ),
    eventInput,
    h(
      'div',
      { class: 'actions' },
      h('button', { 'data-action': 'test-rule', onclick: () => void test() }, 'Test'),
    ),
    testResult,
  );

  return {
    root,
    async update() {
      try {
        current = await api.rule(name);
        render(current);
      } catch (error) {
        status.textContent = message(error);
        status.className = 'status error';
      }
    },
  };
}

/** `#/rules` lists the rules, `#/rules/<name>` shows one. */
export function rulesView(name: string | undefined): View {
  return name === undefined || name === '' ? ruleListView() : ruleDetailView(name);
}
