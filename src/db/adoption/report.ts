import { ATTRIBUTES, ENTITY_TYPES, type EntityType } from '../../attributes/registry';
import { normaliseAttributeValue, resolveAttribute } from '../../attributes/validate';
import { CODE_ALPHABET, CODE_LENGTH } from '../../core/error-code';
import { ENTITY_TABLES } from '../entity-tables';
import { select, selectOne, type Queryable } from '../sql';
import { TABLE_COPIES } from './conversions';
import { ORIGINAL_TABLES, type OriginalTable } from './original-schema';

/** A stored attribute the registry would refuse. Adoption keeps it as it is and reports it. */
export interface RegistryViolation {
  entityType: EntityType;
  id: string;
  attribute: string;
  value: unknown;
  problem: string;
}

export interface Sampled<T> {
  total: number;
  /** The first `SAMPLE_SIZE`. */
  samples: T[];
}

/** What adoption does (or did) to an original database. */
export interface AdoptionReport {
  tables: { table: OriginalTable; rows: number }[];
  conversions: { table: OriginalTable; column: string; rule: string; rows: number }[];
  registryViolations: Sampled<RegistryViolation>;
  /** Codes kept as they are that `getError` cannot reach (not 8 Crockford base32 characters). */
  unreachableErrorCodes: Sampled<string>;
  /** Rows that cannot be converted without loss: adoption refuses while any is listed. */
  blockers: string[];
}

const SAMPLE_SIZE = 100;

/** Reads the original tables (in the current schema) and describes their adoption. Reads only. */
export async function analyseOriginal(runner: Queryable): Promise<AdoptionReport> {
  const tables: AdoptionReport['tables'] = [];
  const conversions: AdoptionReport['conversions'] = [];
  for (const table of ORIGINAL_TABLES) {
    const rules = TABLE_COPIES[table].flatMap((copy) =>
      (copy.conversions ?? []).map((conversion) => ({ column: copy.column, ...conversion })),
    );
    const counts = rules.map((rule, index) => `count(*) FILTER (WHERE ${rule.when})::int AS c${index}`);
    const row = await selectOne<Record<string, number>>(runner, `SELECT ${['count(*)::int AS rows', ...counts].join(', ')} FROM ${table}`);
    tables.push({ table, rows: row?.rows ?? 0 });
    rules.forEach((rule, index) => {
      const rows = row?.[`c${index}`] ?? 0;
      if (rows > 0) conversions.push({ table, column: rule.column.replace(/"/g, ''), rule: rule.rule, rows });
    });
  }
  return {
    tables,
    conversions,
    registryViolations: await findRegistryViolations(runner),
    unreachableErrorCodes: await findUnreachableErrorCodes(runner),
    blockers: await findBlockers(runner),
  };
}

/** The registry as JSON for SQL: per entity type, `true` for a boolean attribute, the allowed values otherwise. */
function registryRules(entityType: EntityType): Record<string, true | readonly string[]> {
  const rules: Record<string, true | readonly string[]> = {};
  for (const [name, definition] of Object.entries(ATTRIBUTES)) {
    if (!(definition.entities as readonly EntityType[]).includes(entityType)) continue;
    rules[name] = definition.kind === 'boolean' ? true : definition.values;
  }
  return rules;
}

async function findRegistryViolations(runner: Queryable): Promise<Sampled<RegistryViolation>> {
  let total = 0;
  const samples: RegistryViolation[] = [];
  for (const entityType of ENTITY_TYPES) {
    const { table, key } = ENTITY_TABLES[entityType];
    const rows = await select<{ id: string; attribute: string; value: unknown; total: number }>(
      runner,
      `SELECT ${key}::text AS id, a.key AS attribute, a.value, count(*) OVER ()::int AS total
       FROM ${table},
            jsonb_each(CASE WHEN jsonb_typeof(attributes) = 'object' THEN attributes ELSE '{}'::jsonb END) a
       WHERE NOT COALESCE(
         ($1::jsonb -> a.key) = 'true'::jsonb AND a.value = 'true'::jsonb
         OR jsonb_typeof($1::jsonb -> a.key) = 'array' AND jsonb_typeof(a.value) = 'string'
            AND ($1::jsonb -> a.key) @> jsonb_build_array(a.value),
         false)
       ORDER BY ${key}, a.key LIMIT $2`,
      [JSON.stringify(registryRules(entityType)), SAMPLE_SIZE],
    );
    total += rows[0]?.total ?? 0;
    for (const { id, attribute, value } of rows.slice(0, SAMPLE_SIZE - samples.length)) {
      samples.push({ entityType, id, attribute, value, problem: registryProblem(entityType, attribute, value) });
    }
  }
  return { total, samples };
}

/** The registry's own words for why it refuses the stored value. */
function registryProblem(entityType: EntityType, attribute: string, value: unknown): string {
  try {
    const resolved = resolveAttribute(entityType, attribute);
    if (resolved.definition.kind === 'boolean' && value === false) return `${attribute} is stored only while true, found false`;
    normaliseAttributeValue(resolved.name, resolved.definition, value);
    return `${attribute} holds ${JSON.stringify(value)}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function findUnreachableErrorCodes(runner: Queryable): Promise<Sampled<string>> {
  const rows = await select<{ code: string; total: number }>(
    runner,
    `SELECT error_code AS code, count(*) OVER ()::int AS total FROM errors
     WHERE upper(error_code) !~ $1 ORDER BY error_code LIMIT $2`,
    [`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`, SAMPLE_SIZE],
  );
  return { total: rows[0]?.total ?? 0, samples: rows.map((row) => row.code) };
}

async function findBlockers(runner: Queryable): Promise<string[]> {
  const blockers: string[] = [];
  const collisions = await select<{ codes: string }>(
    runner,
    `SELECT string_agg(error_code, ', ' ORDER BY error_code) AS codes FROM errors
     GROUP BY upper(error_code) HAVING count(*) > 1 ORDER BY 1 LIMIT 20`,
  );
  for (const { codes } of collisions) blockers.push(`errors: codes ${codes} differ only by case (one code once upper-cased)`);
  const untyped = await selectOne<{ n: number; ids: string | null }>(
    runner,
    `SELECT count(*)::int AS n, string_agg(id::text, ', ') FILTER (WHERE rank <= 20) AS ids
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM attribute_changes WHERE entity_type IS NULL) t`,
  );
  if (untyped && untyped.n > 0) blockers.push(`attribute_changes: ${untyped.n} row(s) with NULL entity_type (ids ${untyped.ids})`);
  for (const entityType of ENTITY_TYPES) {
    const { table, key } = ENTITY_TABLES[entityType];
    for (const column of ['attributes', 'data']) {
      const bad = await selectOne<{ n: number; ids: string | null }>(
        runner,
        `SELECT count(*)::int AS n, string_agg(id, ', ') FILTER (WHERE rank <= 20) AS ids
         FROM (SELECT ${key}::text AS id, row_number() OVER (ORDER BY ${key}) AS rank FROM ${table}
               WHERE jsonb_typeof(${column}) <> 'object') t`,
      );
      if (bad && bad.n > 0) blockers.push(`${table}: ${bad.n} row(s) whose ${column} is not a JSON object (${key} ${bad.ids})`);
    }
  }
  return blockers;
}
