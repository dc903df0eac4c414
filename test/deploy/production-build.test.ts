import { statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import { productionBuild } from '../helpers/production-build';

const ROOT = join(__dirname, '..', '..');
/** Development tools (issue #15 item 10): built by `npm run build:dev` only, never in the image. */
const DEVELOPMENT_ONLY = ['src/simulator', 'src/demo', 'bench'];
const isDevelopmentOnly = (file: string): boolean => DEVELOPMENT_ONLY.some((folder) => file.startsWith(`${folder}/`));

/** Every file under `folder` (repository-relative paths). */
async function filesUnder(folder: string, base = folder): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(base.length + 1));
}

/** The files a tsconfig names (its include minus its exclude), without building anything. */
function configFiles(config: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, config),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${config}`);
  return parsed.fileNames.map((file) => file.slice(ROOT.length + 1));
}

/** `node dist/<x>.js` of each npm script, by the build it runs first. */
async function scriptEntries(): Promise<{ production: string[]; development: string[] }> {
  const scripts = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const entries = { production: [] as string[], development: [] as string[] };
  for (const command of Object.values(scripts)) {
    const entry = /\bnode (dist\/\S+\.js)/.exec(command)?.[1];
    if (!entry) continue;
    if (command.startsWith('npm run build:dev &&')) entries.development.push(entry);
    else if (command.startsWith('npm run build &&')) entries.production.push(entry);
    else throw new Error(`script without a build first: ${command}`);
  }
  return entries;
}

/** `dist/x/y.js` → `x/y.js` (as found in an output folder). */
const inOutput = (entry: string): string => entry.replace(/^dist\//, '');

describe('the production build (tsconfig.build.json)', () => {
  let built: string[];

  beforeAll(async () => {
    // The run's shared build: what matters here is which files it emits (an import from production
    // code would pull an excluded file back in).
    built = await filesUnder(await productionBuild());
  }, 180_000);

  it('holds no file of the simulator, the demo or the benchmarks', () => {
    expect(built).toContain('src/index.js');
    expect(built.filter(isDevelopmentOnly)).toEqual([]);
  });

  it('holds every entry point production starts: the image, compose and the npm scripts that build it', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1] ?? '';
    const compose = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { command?: string[] }> };
    const entries = [
      ...(JSON.parse(`[${cmd}]`) as string[]),
      ...Object.values(compose.services).flatMap((service) => service.command ?? []),
      ...(await scriptEntries()).production,
    ].filter((part) => part.startsWith('dist/'));
    expect(entries.length).toBeGreaterThan(8);
    for (const entry of entries) expect(built).toContain(inOutput(entry));
  });

  it('leaves out only what tsconfig.dev.json (npm run build:dev) adds: the demo, the simulator it starts and the benchmarks', async () => {
    const development = configFiles('tsconfig.dev.json');
    const production = configFiles('tsconfig.build.json');
    expect(development.filter((file) => !production.includes(file)).every(isDevelopmentOnly)).toBe(true);
    const { development: entries } = await scriptEntries();
    expect([...new Set(entries.map(inOutput))].sort()).toEqual([
      'bench/bot/index.js',
      'bench/index.js',
      'src/demo/demo-cli.js',
      'src/demo/tour-cli.js',
    ]);
    for (const entry of [...entries, 'dist/src/simulator/simulator-cli.js']) {
      expect(development).toContain(inOutput(entry).replace(/\.js$/, '.ts'));
    }
  });
});

describe('the image (Dockerfile, .dockerignore)', () => {
  /** .dockerignore's patterns as regular expressions on repository paths (a folder covers what is under it). */
  async function dockerIgnored(): Promise<RegExp[]> {
    const lines = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim());
    return lines
      .filter((line) => line.length > 0 && !line.startsWith('#'))
      .map((pattern) => {
        const glob = pattern
          .replace(/^\/+|\/+$/g, '')
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*/g, '\u0000')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')
          .replace(/\u0000/g, '.*');
        return new RegExp(`^${glob}(/|$)`);
      });
  }

  it('copies no simulator or demo source into its build, and ships only that build', async () => {
    const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
    const ignored = await dockerIgnored();
    // What the build stage's `COPY <folder> …` lines bring in from the context, after .dockerignore.
    const sources = [...dockerfile.matchAll(/^COPY (?!--)(\S+) \S+$/gm)].map((match) => match[1] ?? '');
    const folders = sources.filter((source) => statSync(join(ROOT, source)).isDirectory());
    expect(folders).toContain('src');
    const copied: string[] = [];
    for (const folder of folders) {
      for (const file of await filesUnder(join(ROOT, folder), ROOT)) if (!ignored.some((pattern) => pattern.test(file))) copied.push(file);
    }
    expect(copied).toContain('src/cluster/manager-cli.ts');
    expect(copied.filter(isDevelopmentOnly)).toEqual([]);
    expect(dockerfile).toMatch(/^RUN node node_modules\/typescript\/bin\/tsc -p tsconfig\.build\.json/m);
    // The final stage takes the build's output, never sources.
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect([...finalStage.matchAll(/^COPY (.*)$/gm)].map((match) => match[1])).toEqual([
      '--from=build /app/package.json ./',
      '--from=build /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
    ]);
  });
});
