import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Loads `.env` (default: in the working directory) into `process.env`. The shell wins: a variable
 * already set (non-empty) is kept; an empty one counts as unset, as in the configuration. A
 * missing file is fine. Returns the names it set.
 */
export function loadEnvFile(file = path.resolve('.env'), env: NodeJS.ProcessEnv = process.env): string[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(content))) {
    if (value === undefined || (env[name] !== undefined && env[name] !== '')) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
