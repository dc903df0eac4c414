import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvFile } from '../../src/core/env-file';
import { seedWorld } from '../../src/simulator/seed';
import { freePort } from '../helpers/redis-process';
import { eventually } from '../helpers/eventually';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = path.join(ROOT, 'test/helpers/ts-register.cjs');

interface Run {
  stdout: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

/** A TypeScript entry point in a child process, as pm2 runs the built one. */
function start(script: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Run {
  const { NODE_ENV: _jest, ...shell } = process.env;
  const child = spawn(process.execPath, ['-r', REGISTER, script, ...args], {
    cwd: options.cwd,
    env: { ...shell, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stdout: () => out, exited, kill: (signal) => child.kill(signal) };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('loadEnvFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'moddy-env-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fills what the shell leaves unset (an empty value counts as unset), never what it sets', async () => {
    const file = path.join(dir, '.env');
    await writeFile(file, 'FROM_FILE=file\nSET_IN_SHELL=file\nEMPTY_IN_SHELL=file\n# a comment\nQUOTED="a b"\n');
    const env: NodeJS.ProcessEnv = { SET_IN_SHELL: 'shell', EMPTY_IN_SHELL: '' };
    expect(loadEnvFile(file, env).sort()).toEqual(['EMPTY_IN_SHELL', 'FROM_FILE', 'QUOTED']);
    expect(env).toEqual({ FROM_FILE: 'file', SET_IN_SHELL: 'shell', EMPTY_IN_SHELL: 'file', QUOTED: 'a b' });
  });

  it('is fine without a file', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(path.join(dir, 'missing.env'), env)).toEqual([]);
    expect(env).toEqual({});
  });
});

describe('entry points', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'moddy-entry-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('load .env from their working directory, the shell winning, and log JSON lines in production', async () => {
    const [filePort, shellPort] = [await freePort(), await freePort()];
    await writeFile(path.join(dir, '.env'), `SIMULATOR_PORT=${filePort}\nSIMULATOR_GUILDS=3\nLOG_LEVEL=debug\n`);
    const simulator = start(path.join(ROOT, 'src/simulator/simulator-cli.ts'), [], {
      cwd: dir,
      env: { NODE_ENV: 'production', SIMULATOR_PORT: String(shellPort), LOG_LEVEL: 'info' },
    });
    try {
      const ready = await eventually(
        () => jsonLines(simulator.stdout()).find((line) => String(line.msg).startsWith('Discord simulator ready')),
        30_000,
      );
      expect(ready.DISCORD_API_URL).toBe(`http://127.0.0.1:${shellPort}/api`);
      expect(ready.guilds).toBe(seedWorld({ seed: 1, guildCount: 3 }).guilds.length);
      // LOG_LEVEL=info from the shell, not debug from .env.
      expect(jsonLines(simulator.stdout()).every((line) => line.level === 30)).toBe(true);
    } finally {
      simulator.kill('SIGTERM');
    }
    expect(await simulator.exited).toBe(0);
  }, 60_000);

  it.each(['rejection', 'exception'])(
    'log an unhandled %s as fatal, drain, and exit 1 for the supervisor',
    async (kind) => {
      const probe = start(path.join(__dirname, 'fixtures/failing-entry.ts'), [kind], { cwd: dir, env: { NODE_ENV: 'production' } });
      expect(await probe.exited).toBe(1);
      const lines = jsonLines(probe.stdout());
      const fatal = lines.find((line) => line.level === 60);
      expect(fatal).toMatchObject({ component: 'failing-probe', kind: kind === 'rejection' ? 'unhandledRejection' : 'uncaughtException' });
      expect((fatal?.err as { message: string }).message).toBe(`boom (${kind})`);
      expect(lines.map((line) => line.msg)).toContain('drained');
    },
    30_000,
  );

  it('log readable coloured lines in development', async () => {
    const probe = start(path.join(__dirname, 'fixtures/failing-entry.ts'), ['rejection'], {
      cwd: dir,
      env: { NODE_ENV: 'development', FORCE_COLOR: '1' },
    });
    expect(await probe.exited).toBe(1);
    const first = probe.stdout().split('\n')[0] ?? '';
    expect(() => JSON.parse(first)).toThrow();
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] \u001b\[32mINFO\u001b\[39m: .*started/);
    expect(probe.stdout()).toContain('boom (rejection)');
  }, 30_000);
});
