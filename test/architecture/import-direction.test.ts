import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Every `.ts` file under `dir`, relative to the repository root. */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'([^']+)'|(?:^|\n)\s*import\s*'([^']+)'|\b(?:import|require)\(\s*'([^']+)'\s*\)/g;

/** The repository files `file` imports (relative specifiers only, resolved without extension). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)]
    .map((match) => match[1] ?? match[2] ?? match[3] ?? '')
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)));
}

const within = (target: string, dir: string): boolean => target === dir || target.startsWith(`${dir}/`);

/** `file → target` for each import of a file under `from` that `forbidden` refuses. */
function violations(from: string, forbidden: (target: string) => boolean): string[] {
  return sources(from).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((target) => `${file} → ${target}`),
  );
}

const under =
  (...dirs: string[]) =>
  (target: string): boolean =>
    dirs.some((dir) => within(target, dir));

describe('dependencies point one way', () => {
  it('the database layer depends on neither the error tracker nor the bot', () => {
    expect(violations('src/db', under('src/error-tracking', 'src/bot'))).toEqual([]);
  });

  it('core, the bottom layer, depends on nothing else of src (no core ↔ config cycle)', () => {
    expect(violations('src/core', (target) => !within(target, 'src/core'))).toEqual([]);
  });

  it('nothing in src imports the src/workers/ entry points', () => {
    expect(violations('src', under('src/workers'))).toEqual([]);
  });

  it('no file imports a -cli entry point: what one runs lives in a module of its own', () => {
    const isEntryPoint = (target: string): boolean => target.endsWith('-cli');
    expect(['src', 'test', 'bench'].flatMap((dir) => violations(dir, isEntryPoint))).toEqual([]);
  });

  it('only entry points read the configuration (getConfig)', () => {
    const entryPoints = new Set([
      'src/board/board-cli.ts',
      'src/simulator/simulator-cli.ts',
      'src/db/migrate-cli.ts',
      'src/cluster/manager-cli.ts',
      'src/cluster/cluster-entry.ts',
      'src/bot/deploy-commands-cli.ts',
      'src/demo/demo-cli.ts',
      'src/demo/tour-cli.ts',
      ...sources('src/workers'),
    ]);
    const readers = sources('src').filter(
      (file) =>
        !within(file, 'src/config') && /import\s*\{[^}]*\bgetConfig\b[^}]*\}\s*from/.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(readers.filter((file) => !entryPoints.has(file))).toEqual([]);
    // The check reads real imports: every entry point above is found by it.
    expect(readers.filter((file) => file.startsWith('src/board/'))).toEqual(['src/board/board-cli.ts']);
  });
});
