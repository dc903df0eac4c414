import { ModdyError } from '../../core/moddy-error';

/** The database holds tables that are neither this project's schema nor the original Moddy's. Nothing was changed. */
export class SchemaMismatchError extends ModdyError {
  readonly code = 'SCHEMA_MISMATCH';

  constructor(readonly differences: readonly string[]) {
    super(
      `Refusing to migrate: the tables are neither this project's schema (no migration history) nor the original ` +
        `Moddy's; nothing was changed. Differences: ${differences.join('; ')}`,
    );
  }
}

/** The original schema holds rows adoption cannot convert without losing them. Nothing was changed. */
export class AdoptionBlockedError extends ModdyError {
  readonly code = 'ADOPTION_BLOCKED';

  constructor(readonly blockers: readonly string[]) {
    super(`Refusing to adopt the original Moddy schema; nothing was changed. Fix these rows first: ${blockers.join('; ')}`);
  }
}

/** The original schema was found but the caller did not ask for adoption (`npm run migrate` does). */
export class AdoptionNotRequestedError extends ModdyError {
  readonly code = 'ADOPTION_NOT_REQUESTED';

  constructor() {
    super(
      'This database holds the original Moddy schema; nothing was changed. Back it up, then run ' +
        '`npm run migrate -- --dry-run` and `npm run migrate` to adopt it (see "Coming from the original Moddy" in the README)',
    );
  }
}
