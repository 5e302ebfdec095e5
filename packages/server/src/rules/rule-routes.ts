import { isEddyError } from '@eddy/core';
import { cloudEventFromJson } from '@eddy/core/cloudevents';
import {
  compilePattern,
  createInputTransformer,
  eventView,
  InvalidRuleError,
  type RuleStore,
} from '@eddy/rules';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import type {
  PutRuleRequest,
  RuleListResponse,
  RuleResponse,
  TestPatternRequest,
  TestPatternResponse,
} from './rule-api-types.js';
import { ruleJson } from './rule-json.js';

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'Rule name.' } },
} as const;

// Shapes are checked by checkRule in the store, which names the field and the reason; the schemas
// here only say that the body is an object, so every problem comes back in one form.
const putBody = {
  type: 'object',
  required: ['pattern'],
  properties: {
    name: { type: 'string' },
    pattern: { type: ['object', 'string'], description: 'EventBridge event pattern (object or JSON text).' },
    targets: { type: 'array', description: 'topic, webhook or handler targets.' },
    enabled: { type: 'boolean' },
    description: { type: 'string' },
  },
} as const;

const testBody = {
  type: 'object',
  required: ['pattern', 'event'],
  additionalProperties: false,
  properties: {
    pattern: { type: ['object', 'string'] },
    event: { type: 'object', description: 'A CloudEvent in JSON form, or any JSON object.' },
    inputTransformer: { type: 'object', description: '{ inputPathsMap?, inputTemplate }' },
    ruleName: { type: 'string' },
  },
} as const;

const jsonResponse = (description: string) => ({
  '200': { description, content: { 'application/json': {} } },
});

/** The event as a pattern sees it: a CloudEvent (has `specversion`) is read as one, anything else as it is. */
function viewOf(event: Readonly<Record<string, unknown>>): object {
  if (event['specversion'] === undefined) return event;
  return eventView(cloudEventFromJson(event));
}

/**
 * Rules: CRUD on the rule store and a pattern tester (`POST /v1/rules/test`). `onChange` runs after
 * a rule was stored or deleted, before the answer: the gateway's own rule engine reloads there, so
 * an event published after the answer meets the rule.
 */
export function registerRuleRoutes(
  app: FastifyInstance,
  store: RuleStore,
  onChange: () => Promise<void> = () => Promise.resolve(),
): void {
  const find = async (name: string) => {
    const record = await store.get(name);
    if (record === undefined) {
      throw new NotFoundError(`No rule named "${name}". List rules with GET /v1/rules.`);
    }
    return record;
  };

  app.get<{ Reply: RuleListResponse }>(
    '/v1/rules',
    {
      schema: { summary: 'List rules with their counts', tags: ['rules'] },
      config: { access: 'admin', doc: { responses: jsonResponse('{ rules }') } },
    },
    async () => ({ rules: (await store.list()).map(ruleJson) }),
  );

  app.get<{ Params: { name: string }; Reply: RuleResponse }>(
    '/v1/rules/:name',
    {
      schema: { summary: 'One rule', tags: ['rules'], params: nameParams },
      config: { access: 'admin', doc: { responses: jsonResponse('{ rule }') } },
    },
    async (request) => ({ rule: ruleJson(await find(request.params.name)) }),
  );

  app.put<{ Params: { name: string }; Body: PutRuleRequest; Reply: RuleResponse }>(
    '/v1/rules/:name',
    {
      schema: {
        summary: 'Create or replace a rule',
        description:
          'Checked before it is stored: an invalid pattern (EDDY_INVALID_PATTERN), transformer (EDDY_INVALID_TRANSFORMER) or other field (EDDY_INVALID_RULE) is a 400 naming the problem.',
        tags: ['rules'],
        params: nameParams,
        body: putBody,
      },
      config: {
        access: 'admin',
        doc: {
          responses: {
            '200': { description: 'replaced: { rule }', content: { 'application/json': {} } },
            '201': { description: 'created: { rule }', content: { 'application/json': {} } },
          },
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (request.body.name !== undefined && request.body.name !== name) {
        throw new InvalidRuleError(
          'name',
          `"${request.body.name}" in the body differs from "${name}" in the path`,
        );
      }
      const record = await store.put({ ...request.body, name });
      await onChange();
      void reply.code(record.version === 1 ? 201 : 200);
      return { rule: ruleJson(record) };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/v1/rules/:name',
    {
      schema: { summary: 'Delete a rule', tags: ['rules'], params: nameParams },
      config: { access: 'admin', doc: { responses: { '204': { description: 'deleted' } } } },
    },
    async (request, reply) => {
      if (!(await store.delete(request.params.name))) {
        throw new NotFoundError(`No rule named "${request.params.name}". List rules with GET /v1/rules.`);
      }
      await onChange();
      return reply.code(204).send();
    },
  );

  app.post<{ Body: TestPatternRequest; Reply: TestPatternResponse }>(
    '/v1/rules/test',
    {
      schema: {
        summary: 'Test a pattern (and an input transformer) against an event',
        tags: ['rules'],
        body: testBody,
      },
      config: { access: 'authenticated', doc: { responses: jsonResponse('{ matched, output? }') } },
    },
    (request) => {
      const { pattern, event, inputTransformer, ruleName } = request.body;
      const compiled = compilePattern(pattern);
      const transformer =
        inputTransformer === undefined ? undefined : createInputTransformer(inputTransformer);
      let view: object;
      try {
        view = viewOf(event);
      } catch (error) {
        if (isEddyError(error)) throw error;
        throw new InvalidRuleError('event', (error as Error).message);
      }
      const matched = compiled.matches(view);
      return {
        matched,
        ...(transformer === undefined
          ? {}
          : { output: transformer.transform(view, { ruleName: ruleName ?? 'test' }) }),
      };
    },
  );
}
