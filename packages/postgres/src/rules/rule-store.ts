import { ClosedError } from '@eddy/core/internal';
import { checkRule, type RuleDefinition, type RuleRecord, type RuleStore } from '@eddy/rules';
import type pg from 'pg';
import { openPool, type PoolSource } from '../connection.js';
import { toEddyError } from '../errors.js';
import { assertSchemaName, DEFAULT_SCHEMA } from '../options.js';
import { migrateRuleStore, ruleRevisionTable, ruleTable } from './schema.js';

export type PostgresRuleStoreOptions = PoolSource;

/** A `RuleStore` on PostgreSQL; `close()` ends the pool when the store opened it. */
export type PostgresRuleStore = RuleStore;

interface Row {
  name: string;
  definition: RuleDefinition;
  version: string;
  created_at: string;
  updated_at: string;
  matched: string;
  delivered: string;
  failed: string;
}

function toRecord(row: Row): RuleRecord {
  return {
    ...row.definition,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    counts: { matched: Number(row.matched), delivered: Number(row.delivered), failed: Number(row.failed) },
  };
}

const COLUMNS = 'name, definition, version, created_at, updated_at, matched, delivered, failed';

/**
 * `RuleStore` on PostgreSQL: `<schema>.rules`, one row per rule with the checked definition as
 * jsonb, and `<schema>.rule_revision`. Each change and its revision bump are one statement
 * (data-modifying CTEs), so they commit together; concurrent puts of one rule queue on its row
 * lock and get consecutive versions.
 */
export async function createPostgresRuleStore(options: PostgresRuleStoreOptions): Promise<PostgresRuleStore> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const table = ruleTable(schema);
  const revisionTable = ruleRevisionTable(schema);
  const connection = openPool(options, 'createPostgresRuleStore', { applicationName: 'eddy-rule-store' });
  const { pool, where } = connection;
  let closed = false;
  const query = async <R extends pg.QueryResultRow>(
    doing: string,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    if (closed) throw new ClosedError('This PostgreSQL rule store');
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      throw toEddyError(error, doing, where);
    }
  };

  try {
    await migrateRuleStore(pool, schema, where);
  } catch (error) {
    await connection.close();
    throw error;
  }

  return {
    async put(input) {
      if (closed) throw new ClosedError('This PostgreSQL rule store');
      const rule = checkRule(input);
      const { rows } = await query<Row>(
        'storing a rule',
        `WITH stored AS (
           INSERT INTO ${table} AS r (name, definition, version, created_at, updated_at)
           VALUES ($1, $2, 1, $3, $3)
           ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, version = r.version + 1,
             updated_at = GREATEST(r.updated_at, excluded.updated_at)
           RETURNING ${COLUMNS}
         ), bumped AS (UPDATE ${revisionTable} SET revision = revision + 1 WHERE id = 1)
         SELECT * FROM stored`,
        [rule.name, JSON.stringify(rule), Date.now()],
      );
      return toRecord(rows[0]!);
    },
    async get(name) {
      const { rows } = await query<Row>('reading a rule', `SELECT ${COLUMNS} FROM ${table} WHERE name = $1`, [
        name,
      ]);
      return rows[0] === undefined ? undefined : toRecord(rows[0]);
    },
    async list() {
      const { rows } = await query<Row>(
        'listing rules',
        `SELECT ${COLUMNS} FROM ${table} ORDER BY name COLLATE "C"`,
        [],
      );
      return rows.map(toRecord);
    },
    async delete(name) {
      const { rows } = await query<{ deleted: string }>(
        'deleting a rule',
        `WITH deleted AS (DELETE FROM ${table} WHERE name = $1 RETURNING name),
           bumped AS (UPDATE ${revisionTable} SET revision = revision + 1 WHERE id = 1 AND EXISTS (SELECT 1 FROM deleted))
         SELECT count(*) AS deleted FROM deleted`,
        [name],
      );
      return Number(rows[0]!.deleted) > 0;
    },
    async revision() {
      const { rows } = await query<{ revision: string }>(
        'reading the rules revision',
        `SELECT revision FROM ${revisionTable} WHERE id = 1`,
        [],
      );
      return Number(rows[0]!.revision);
    },
    async addCounts(deltas) {
      if (deltas.length === 0) {
        if (closed) throw new ClosedError('This PostgreSQL rule store');
        return;
      }
      await query(
        'adding rule counts',
        `UPDATE ${table} AS r SET matched = r.matched + d.matched, delivered = r.delivered + d.delivered,
           failed = r.failed + d.failed
         FROM (SELECT name, sum(matched) AS matched, sum(delivered) AS delivered, sum(failed) AS failed
               FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[]) AS t(name, matched, delivered, failed)
               GROUP BY name) AS d
         WHERE r.name = d.name`,
        [
          deltas.map((delta) => delta.name),
          deltas.map((delta) => delta.matched ?? 0),
          deltas.map((delta) => delta.delivered ?? 0),
          deltas.map((delta) => delta.failed ?? 0),
        ],
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await connection.close();
    },
  };
}
