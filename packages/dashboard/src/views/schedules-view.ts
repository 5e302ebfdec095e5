import type { ScheduleJson } from '@eddy/server/api';
import { ApiError, api } from '../api.js';
import { errorText, h, mount } from '../dom.js';
import type { View } from './view.js';

/** What the gateway answers when it was started without a schedule store. */
const NO_STORE =
  'This gateway has no schedule store: schedules are served when it opens the embedded SQLite log, or when it is given a store (createServer({ schedules })).';

/** "in 3 h 12 min" / "5 min ago": how far a time is from now, to read at a glance beside the date. */
export function relativeTime(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const text =
    abs < 60_000
      ? `${Math.round(abs / 1_000)} s`
      : abs < 3_600_000
        ? `${Math.round(abs / 60_000)} min`
        : abs < 86_400_000
          ? `${Math.floor(abs / 3_600_000)} h ${Math.round((abs % 3_600_000) / 60_000)} min`
          : `${Math.round(abs / 86_400_000)} d`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

function nextRun(schedule: ScheduleJson): Node | string {
  if (!schedule.enabled) return 'paused';
  if (schedule.nextRunAt === undefined) return 'never';
  return h(
    'span',
    { title: schedule.nextRunAt },
    schedule.nextRunAt.replace('T', ' ').slice(0, 19),
    h('span', { class: 'hint' }, ` (${relativeTime(schedule.nextRunAt)})`),
  );
}

/** Every schedule with its timing, policy and counts; a button pauses or resumes one. */
export function schedulesView(): View {
  const body = h('tbody');
  const status = h('p', { class: 'status', role: 'status' });
  const root = h(
    'section',
    {},
    h('h1', {}, 'Schedules'),
    h(
      'p',
      { class: 'hint' },
      'Recurring events by cron expression and time zone, fired once across every scheduler on the store. ' +
        'Times are UTC. Missed: occurrences not fired because of the missed-run policy.',
    ),
    status,
    h(
      'table',
      { id: 'schedules-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Schedule'),
          h('th', {}, 'Cron'),
          h('th', {}, 'Time zone'),
          h('th', {}, 'Type'),
          h('th', {}, 'Next run'),
          h('th', {}, 'Last run'),
          h('th', {}, 'Missed runs'),
          h('th', { class: 'num' }, 'Runs'),
          h('th', { class: 'num' }, 'Missed'),
          h('th', {}, ''),
        ),
      ),
      body,
    ),
  );
  let schedules: readonly ScheduleJson[] = [];

  const toggle = async (schedule: ScheduleJson): Promise<void> => {
    try {
      await api.pauseSchedule(schedule.id, schedule.enabled);
      status.textContent = `${schedule.enabled ? 'Paused' : 'Resumed'} ${schedule.id}.`;
      await refresh();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };

  const render = () => {
    mount(
      body,
      ...schedules.map((schedule) =>
        h(
          'tr',
          { 'data-schedule': schedule.id, class: schedule.enabled ? undefined : 'muted' },
          h('td', {}, h('b', {}, schedule.id)),
          h('td', {}, h('code', {}, schedule.cron)),
          h('td', {}, schedule.timeZone),
          h('td', {}, schedule.type),
          h('td', { class: 'next-run' }, nextRun(schedule)),
          h(
            'td',
            { class: 'last-run' },
            schedule.lastRunAt === undefined ? '-' : schedule.lastRunAt.replace('T', ' ').slice(0, 19),
          ),
          h('td', {}, schedule.missedRuns),
          h('td', { class: 'num runs' }, schedule.runs),
          h('td', { class: `num missed${schedule.missed > 0 ? ' warn' : ''}` }, schedule.missed),
          h(
            'td',
            { class: 'actions' },
            h(
              'button',
              { 'data-action': schedule.enabled ? 'pause' : 'resume', onclick: () => void toggle(schedule) },
              schedule.enabled ? 'Pause' : 'Resume',
            ),
          ),
        ),
      ),
    );
    if (schedules.length === 0) {
      mount(
        body,
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: 10, class: 'empty' },
            'No schedules: create them with scheduler.upsertSchedule or eddy schedules put.',
          ),
        ),
      );
    }
  };

  const refresh = async () => {
    try {
      schedules = await api.schedules();
    } catch (error) {
      // Without a store the routes are not there at all: the gateway's "No route" answer.
      if (error instanceof ApiError && error.status === 404 && error.message.startsWith('No route')) {
        status.textContent = NO_STORE;
        schedules = [];
      } else throw error;
    }
    render();
  };

  return { root, update: refresh };
}
