import type { AdoptionReport } from './report';

/** The report as text lines for an operator: tables, conversions, registry violations, unreachable codes, blockers. */
export function describeAdoption(report: AdoptionReport): string[] {
  const lines = [`tables: ${report.tables.map(({ table, rows }) => `${table} ${rows} row(s)`).join(', ')}`];
  lines.push(report.conversions.length > 0 ? 'conversions:' : 'conversions: none needed');
  for (const { table, column, rule, rows } of report.conversions) lines.push(`  ${table}.${column}: ${rule} (${rows} row(s))`);
  lines.push(
    '  every table: new columns and constraints of this schema; users/guilds gain deactivated_at (NULL: active); ' +
      'attribute_changes ids are kept and new rows continue after the largest',
  );
  const { registryViolations: violations, unreachableErrorCodes: unreachable } = report;
  if (violations.total > 0) {
    lines.push(
      `attributes the registry refuses, kept as stored (${violations.total}; mend known attributes with setAttribute, ` +
        'others by SQL or by adding them to the registry):',
    );
    for (const v of violations.samples) lines.push(`  ${v.entityType} ${v.id} ${v.attribute}=${JSON.stringify(v.value)}: ${v.problem}`);
    if (violations.total > violations.samples.length) lines.push(`  … and ${violations.total - violations.samples.length} more`);
  }
  if (unreachable.total > 0) {
    lines.push(`error codes kept but not reachable by getError (not 8 base32 characters): ${unreachable.total}`);
    lines.push(`  ${unreachable.samples.join(', ')}${unreachable.total > unreachable.samples.length ? ', …' : ''}`);
  }
  if (report.blockers.length > 0) {
    lines.push('blockers (adoption refuses until these rows are fixed):');
    for (const blocker of report.blockers) lines.push(`  ${blocker}`);
  }
  return lines;
}
