import type { CheckResult } from './check';

/** The doctor's table: ✔/✘, what was checked, what was found, and the fix under each ✘. Secrets are blanked out. */
export function renderReport(results: readonly CheckResult[], secrets: readonly string[]): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines = results.flatMap((result) => {
    const line = `${result.ok ? '✔' : '✘'} ${result.name.padEnd(width)}  ${result.detail}`;
    return result.ok || !result.fix ? [line] : [line, `  ${' '.repeat(width)}  → fix: ${result.fix}`];
  });
  const failed = results.filter((result) => !result.ok).length;
  lines.push('', failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`);
  return scrub(lines.join('\n'), secrets);
}

function scrub(text: string, secrets: readonly string[]): string {
  // Longest first, so a secret containing another is blanked whole.
  return [...secrets]
    .filter((secret) => secret.length >= 4)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join('***'), text);
}
