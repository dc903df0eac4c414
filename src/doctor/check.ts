/** One line of the doctor's table. */
export interface CheckResult {
  /** What was checked, e.g. `PostgreSQL reachable`. */
  name: string;
  ok: boolean;
  /** What was found (never a secret). */
  detail: string;
  /** For a failed check: what the operator should do. */
  fix?: string;
}

export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: false, detail, fix });

/** Raised inside a check group: the group stops there with this failed line (later checks need what failed). */
export class CheckFailed extends Error {
  constructor(readonly result: CheckResult) {
    super(result.detail);
  }
}

/**
 * Runs a group of dependent checks: each pushes its lines; the first `CheckFailed` (or any
 * unexpected error, reported under `name` with `fix`) ends the group.
 */
export async function checkGroup(
  name: string,
  fix: string,
  run: (report: (result: CheckResult) => void) => Promise<void>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  try {
    await run((result) => results.push(result));
  } catch (error) {
    results.push(error instanceof CheckFailed ? error.result : fail(name, describeError(error), fix));
  }
  return results;
}

/** An error's message with its cause's (`fetch failed` alone says nothing: its cause says ECONNREFUSED …). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
