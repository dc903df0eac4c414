import { InitialSchema1732406400000 } from './1732406400000-initial-schema';

/** Every migration, oldest first. Listed as classes so the same list works from `src` and `dist`. */
export const MIGRATIONS = [InitialSchema1732406400000];
