import { InitialSchema1732406400000 } from './1732406400000-initial-schema';
import { CacheInvalidationLog1796195787502 } from './1796195787502-cache-invalidation-log';

/** Every migration, oldest first. Listed as classes so the same list works from `src` and `dist`. */
export const MIGRATIONS = [InitialSchema1732406400000, CacheInvalidationLog1796195787502];
