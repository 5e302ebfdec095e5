import type { PublishEnvelope } from '@eddy/server/api';
import { api, ApiError } from '../api.js';
import { h } from '../dom.js';
import { offsetText } from '../offsets.js';

type Field = 'type' | 'key' | 'data';

/** Which field a gateway problem is about, from the JSON pointer it names (`event/type ...`). */
function fieldOf(error: ApiError): Field | undefined {
  if (error.code === 'EDDY_SCHEMA_VIOLATION') return 'data';
  const match = /event\/(type|key|data)\b/.exec(error.message);
  return match?.[1] as Field | undefined;
}

/**
 * Publishes one JSON event to the topic through `POST /v1/topics/{topic}/events`: type, key, data.
 * Data that is not JSON is caught here; what the gateway refuses (a bad attribute, a schema the
 * data breaks) is shown under the field it is about.
 */
export function publishForm(topic: string): HTMLFormElement {
  const type = h('input', {
    id: 'publish-type',
    type: 'text',
    placeholder: topic,
    'aria-label': 'event type',
  });
  const key = h('input', { id: 'publish-key', type: 'text', placeholder: 'none', 'aria-label': 'key' });
  const data = h('textarea', {
    id: 'publish-data',
    rows: 4,
    spellcheck: 'false',
    'aria-label': 'data (JSON)',
  });
  data.value = '{}';
  const errors: Record<Field, HTMLElement> = {
    type: h('span', { class: 'field-error', id: 'publish-type-error' }),
    key: h('span', { class: 'field-error', id: 'publish-key-error' }),
    data: h('span', { class: 'field-error', id: 'publish-data-error' }),
  };
  const status = h('p', { class: 'status', id: 'publish-status' });
  const inputs: Record<Field, HTMLInputElement | HTMLTextAreaElement> = { type, key, data };

  const clear = () => {
    for (const field of ['type', 'key', 'data'] as const) {
      errors[field].textContent = '';
      inputs[field].removeAttribute('aria-invalid');
    }
    status.textContent = '';
    status.className = 'status';
  };
  const fail = (field: Field | undefined, text: string) => {
    if (field === undefined) {
      status.textContent = text;
      status.className = 'status error';
      return;
    }
    errors[field].textContent = text;
    inputs[field].setAttribute('aria-invalid', 'true');
  };

  async function submit(): Promise<void> {
    clear();
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.value) as unknown;
    } catch (error) {
      fail(
        'data',
        `Not JSON (${error instanceof Error ? error.message : String(error)}): strings and names need double quotes.`,
      );
      return;
    }
    const envelope: PublishEnvelope = {
      data: parsed,
      ...(type.value.trim() === '' ? {} : { type: type.value.trim() }),
      ...(key.value === '' ? {} : { key: key.value }),
    };
    try {
      const { positions } = await api.publish(topic, envelope);
      const position = positions[0];
      status.className = 'status ok';
      status.replaceChildren(
        'Published ',
        position === undefined
          ? ''
          : h(
              'a',
              {
                href: `#/event/${encodeURIComponent(topic)}/${position.partition}/${encodeURIComponent(position.offset)}`,
              },
              `to partition ${position.partition} at offset ${offsetText(position.offset)}`,
            ),
        '.',
      );
    } catch (error) {
      if (error instanceof ApiError) fail(fieldOf(error), `${error.code}: ${error.message}`);
      else fail(undefined, String(error));
    }
  }

  const form = h(
    'form',
    { id: 'publish-form', class: 'publish-form' },
    h('label', {}, h('span', {}, 'Type'), type, errors.type),
    h('label', {}, h('span', {}, 'Key'), key, errors.key),
    h('label', { class: 'wide' }, h('span', {}, 'Data (JSON)'), data, errors.data),
    h('div', { class: 'wide' }, h('button', { type: 'submit', class: 'primary' }, 'Publish'), status),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  return form;
}
