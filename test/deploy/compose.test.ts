import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const composeFile = join(root, 'docker-compose.yml');
/** The secrets compose insists on, as an operator's `.env` gives them. */
const SECRETS = { DISCORD_TOKEN: 'token-from-env', POSTGRES_PASSWORD: 'password-from-env' };

interface Service {
  image?: string;
  build?: unknown;
  init?: boolean;
  user?: string;
  stop_grace_period?: string;
  logging?: { driver?: string; options?: Record<string, string> };
  volumes?: (string | { source?: string; target?: string })[];
  environment?: Record<string, string | null>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
  profiles?: string[];
}

function compose(args: string[], env: Record<string, string> = SECRETS) {
  const { DISCORD_TOKEN: _t, POSTGRES_PASSWORD: _p, ...shell } = process.env;
  return spawnSync('docker-compose', ['-f', composeFile, ...args], { cwd: root, env: { ...shell, ...env }, encoding: 'utf8' });
}

/** docker-compose's own resolved view of the file (anchors merged, variables substituted). */
function resolved(): Record<string, Service> {
  const result = compose(['config']);
  if (result.status !== 0) throw new Error(result.stderr);
  return (parse(result.stdout) as { services: Record<string, Service> }).services;
}

const seconds = (duration: string | undefined): number => {
  const match = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(duration ?? '');
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : 0;
};

describe('docker-compose.yml', () => {
  const services = resolved();
  const moddy = Object.entries(services).filter(([, service]) => service.image === 'moddy:latest');

  it('is valid for docker-compose (checked with `docker-compose config -q`)', () => {
    execFileSync('docker-compose', ['-f', composeFile, 'config', '-q'], { cwd: root, stdio: 'pipe', env: { ...process.env, ...SECRETS } });
  });

  it('runs every process of the project, each with a healthcheck, after the migration', () => {
    expect(Object.keys(services).sort()).toEqual([
      'board',
      'bot',
      'discord-log',
      'error-persistence',
      'maintenance',
      'migrate',
      'postgres',
      'redis',
      'redis-replica',
      'redis-sentinel',
    ]);
    // Only with `--profile sentinel` (docs/redis.md); every other service always runs.
    expect(
      Object.entries(services)
        .filter(([, service]) => service.profiles !== undefined)
        .map(([name, service]) => [name, service.profiles]),
    ).toEqual([
      ['redis-replica', ['sentinel']],
      ['redis-sentinel', ['sentinel']],
    ]);
    const long = moddy.filter(([name]) => name !== 'migrate');
    expect(long).toHaveLength(5);
    for (const [, service] of long) {
      expect(service.healthcheck).toBeDefined();
      expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
    expect(services.redis?.healthcheck).toBeDefined();
    expect(services.postgres?.healthcheck).toBeDefined();
  });

  it('refuses to start without the Discord token or the PostgreSQL password, and has no default for either', () => {
    for (const missing of ['DISCORD_TOKEN', 'POSTGRES_PASSWORD'] as const) {
      const env: Record<string, string> = { ...SECRETS };
      delete env[missing];
      const result = compose(['config', '-q'], env);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`set ${missing} in .env`);
    }
    const text = readFileSync(composeFile, 'utf8');
    for (const name of ['DISCORD_TOKEN', 'POSTGRES_PASSWORD']) {
      const uses = [...text.matchAll(new RegExp(`\\$\\{${name}(.)`, 'g'))].map((match) => match[1]);
      expect(uses.length).toBeGreaterThan(0);
      expect(uses.every((operator) => operator === ':')).toBe(true);
      expect(text).not.toMatch(new RegExp(`\\$\\{${name}:-`));
    }
    expect(services.bot?.environment?.DISCORD_TOKEN).toBe(SECRETS.DISCORD_TOKEN);
    expect(services.bot?.environment?.DATABASE_URL).toBe(`postgres://moddy:${SECRETS.POSTGRES_PASSWORD}@postgres:5432/moddy`);
  });

  it('rotates the logs of every service', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, logging: service.logging }).toEqual({
        name,
        logging: {
          driver: 'json-file',
          options: { 'max-size': expect.stringMatching(/^\d+[km]$/), 'max-file': expect.stringMatching(/^\d+$/) },
        },
      });
    }
  });

  it('runs Moddy under an init, as a non-root user, with more time to stop than the 15 s drain', () => {
    for (const [name, service] of moddy) {
      expect({ name, init: service.init }).toEqual({ name, init: true });
      expect(service.user).toBeUndefined(); // the image's USER (node) applies
      if (name !== 'migrate')
        expect({ name, graceAboveDrain: seconds(service.stop_grace_period) > 15 }).toEqual({ name, graceAboveDrain: true });
    }
  });

  it('keeps the error spool on a named volume the image lets `node` write', () => {
    for (const [name, service] of moddy.filter(([candidate]) => candidate !== 'migrate')) {
      const spool = service.environment?.ERROR_SPOOL_PATH ?? '';
      const mounts = (service.volumes ?? []).map((volume) => (typeof volume === 'string' ? volume : `${volume.source}:${volume.target}`));
      const mount = mounts.find((volume) => spool.startsWith(`${volume.split(':')[1]}/`));
      expect({ name, mount }).toEqual({ name, mount: expect.stringMatching(/^moddy-spool:\/app\/var/) });
    }
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/chown node:node var/);
    expect(
      dockerfile
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('USER '))
        .pop(),
    ).toBe('USER node');
  });

  it('starts only entry points that the build produces', () => {
    const entries = moddy.map(([, service]) => service.command?.find((part) => part.startsWith('dist/')) ?? '');
    expect(entries).toHaveLength(6);
    for (const entry of entries) expect(() => readFileSync(join(root, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).not.toThrow();
  });
});

describe('the image and engines', () => {
  it('run Node 24 LTS', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24-/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=24');
  });
});
