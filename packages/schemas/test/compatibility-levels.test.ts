import type { CompatibilityLevel, SchemaType } from '@eddy/schemas';
import { describe, expect, it } from 'vitest';
import { check, record } from './helpers.js';

/**
 * Per schema type: A -> B -> C evolve compatibly both ways; `bad` breaks both ways; the trios'
 * `y` suits `x2` but not `x1` (so only the transitive levels refuse it); `backwardOnly`/`forwardOnly` are pairs
 * (old, new) that pass one direction only.
 */
interface Fixture {
  readonly a: unknown;
  readonly b: unknown;
  readonly c: unknown;
  readonly bad: unknown;
  /** [x1, x2, y]: y suits x2 both ways but new-reads-old fails against x1. */
  readonly backwardTrio: readonly [unknown, unknown, unknown];
  /** [x1, x2, y]: y suits x2 both ways but old-reads-new fails against x1. */
  readonly forwardTrio: readonly [unknown, unknown, unknown];
  readonly backwardOnly: readonly [unknown, unknown];
  readonly forwardOnly: readonly [unknown, unknown];
}

const optionalString = (name: string) => ({ name, type: ['null', 'string'], default: null });

const avro: Fixture = {
  a: record('User', [{ name: 'id', type: 'long' }]),
  b: record('User', [{ name: 'id', type: 'long' }, optionalString('email')]),
  c: record('User', [{ name: 'id', type: 'long' }, optionalString('email'), optionalString('phone')]),
  bad: record('User', [{ name: 'id', type: 'string' }]),
  // x2 gives email a default; y makes it required: fine with x2, but x1's data lacks it.
  backwardTrio: [
    record('User', [{ name: 'id', type: 'long' }]),
    record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string', default: '' },
    ]),
    record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string' },
    ]),
  ],
  // x1 needs email; x2 gives it a default; y drops it: x2 fills the default, x1 cannot.
  forwardTrio: [
    record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string' },
    ]),
    record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string', default: '' },
    ]),
    record('User', [{ name: 'id', type: 'long' }]),
  ],
  backwardOnly: [
    record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string' },
    ]),
    record('User', [{ name: 'id', type: 'long' }]),
  ],
  forwardOnly: [
    record('User', [{ name: 'id', type: 'long' }]),
    record('User', [
      { name: 'id', type: 'long' },
      { name: 'email', type: 'string' },
    ]),
  ],
};

// Partially open models (extra properties must be strings) let properties come and go both ways.
const open = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties,
  additionalProperties: { type: 'string' },
});

// x2 dropped the integer `note` (registered while the level was NONE); y adds a string property to x2.
const jsonTrio = [
  open({ id: { type: 'integer' }, note: { type: 'integer' } }),
  open({ id: { type: 'integer' } }),
  open({ id: { type: 'integer' }, tag: { type: 'string' } }),
] as const;

const json: Fixture = {
  a: open({ id: { type: 'integer' } }),
  b: open({ id: { type: 'integer' }, email: { type: 'string' } }),
  c: open({ id: { type: 'integer' }, email: { type: 'string' }, phone: { type: 'string' } }),
  bad: open({ id: { type: 'string' } }),
  backwardTrio: jsonTrio,
  forwardTrio: jsonTrio,
  backwardOnly: [
    open({ id: { type: 'string', maxLength: 10 } }),
    open({ id: { type: 'string', maxLength: 20 } }),
  ],
  forwardOnly: [
    open({ id: { type: 'string', maxLength: 20 } }),
    open({ id: { type: 'string', maxLength: 10 } }),
  ],
};

const proto = (body: string) => `syntax = "proto3";\npackage acme;\nmessage User {\n${body}\n}\n`;

const protoTrio = [
  proto('int64 id = 1; string note = 2;'),
  proto('int64 id = 1;'),
  proto('int64 id = 1; int64 note = 2;'),
] as const;

const protobuf: Fixture = {
  a: proto('int64 id = 1;'),
  b: proto('int64 id = 1; string email = 2;'),
  c: proto('int64 id = 1; string email = 2; string phone = 3;'),
  bad: proto('string id = 1;'),
  // x2 removed field 2; y reuses number 2 with another type.
  backwardTrio: protoTrio,
  forwardTrio: protoTrio,
  backwardOnly: [
    proto('oneof contact { string email = 2; string phone = 3; }'),
    proto('string email = 2; string phone = 3;'),
  ],
  forwardOnly: [
    proto('string email = 2; string phone = 3;'),
    proto('oneof contact { string email = 2; string phone = 3; }'),
  ],
};

const fixtures: Readonly<Record<SchemaType, Fixture>> = { AVRO: avro, JSON: json, PROTOBUF: protobuf };
const nonTransitive: readonly CompatibilityLevel[] = ['BACKWARD', 'FORWARD', 'FULL'];
const transitive: readonly CompatibilityLevel[] = [
  'BACKWARD_TRANSITIVE',
  'FORWARD_TRANSITIVE',
  'FULL_TRANSITIVE',
];

for (const [schemaType, f] of Object.entries(fixtures) as [SchemaType, Fixture][]) {
  describe(`${schemaType} compatibility levels`, () => {
    it('NONE allows any change, even one every other level refuses', () => {
      expect(check(schemaType, 'NONE', [f.a, f.b], f.bad)).toEqual({
        compatible: true,
        messages: [],
        incompatibilities: [],
      });
      expect(check(schemaType, 'BACKWARD', [f.a, f.b], f.bad).compatible).toBe(false);
    });

    for (const level of [...nonTransitive, ...transitive]) {
      it(`${level} allows a change compatible both ways with every version`, () => {
        expect(check(schemaType, level, [f.a, f.b], f.c).compatible).toBe(true);
      });

      it(`${level} refuses a change incompatible with the latest version, naming it`, () => {
        const result = check(schemaType, level, [f.a, f.b], f.bad);
        expect(result.compatible).toBe(false);
        expect(result.incompatibilities.some((item) => item.version === 2)).toBe(true);
        expect(result.messages.join('\n')).toContain('version 2');
      });
    }

    const trioFor = (level: CompatibilityLevel) =>
      level.startsWith('FORWARD') ? f.forwardTrio : f.backwardTrio;

    for (const level of nonTransitive) {
      it(`${level} checks the latest version only`, () => {
        const [x1, x2, y] = trioFor(level);
        expect(check(schemaType, level, [x1, x2], y).compatible).toBe(true);
      });
    }

    for (const level of transitive) {
      it(`${level} checks every earlier version, and names the one that breaks`, () => {
        const [x1, x2, y] = trioFor(level);
        const result = check(schemaType, level, [x1, x2], y);
        expect(result.compatible).toBe(false);
        expect(new Set(result.incompatibilities.map((item) => item.version))).toEqual(new Set([1]));
      });
    }

    it('BACKWARD (new reads old) and FORWARD (old reads new) each catch their own direction; FULL catches both', () => {
      const [oldB, newB] = f.backwardOnly;
      const [oldF, newF] = f.forwardOnly;
      expect(check(schemaType, 'BACKWARD', [oldB], newB).compatible).toBe(true);
      expect(
        check(schemaType, 'FORWARD', [oldB], newB).incompatibilities.map((item) => item.direction),
      ).toEqual(expect.arrayContaining(['forward']));
      expect(check(schemaType, 'FORWARD', [oldF], newF).compatible).toBe(true);
      expect(
        check(schemaType, 'BACKWARD', [oldF], newF).incompatibilities.map((item) => item.direction),
      ).toEqual(expect.arrayContaining(['backward']));
      expect(check(schemaType, 'FULL', [oldB], newB).compatible).toBe(false);
      expect(check(schemaType, 'FULL', [oldF], newF).compatible).toBe(false);
    });
  });
}
