import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (checked with `docker-compose config -q`)', () => {
    // Throws with compose's own message when the file is invalid.
    execFileSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), 'config', '-q'], { cwd: root, stdio: 'pipe' });
  });

  it('runs every process of the project, each with a healthcheck, after the migration', () => {
    const config = execFileSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), 'config'], { cwd: root, encoding: 'utf8' });
    for (const service of ['postgres', 'redis', 'migrate', 'bot', 'error-persistence', 'discord-log', 'maintenance', 'board']) {
      expect(config).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    expect(config.match(/condition: service_completed_successfully/g)?.length).toBe(5);
    expect(config.match(/healthcheck:/g)?.length).toBe(7);
    expect(config).toContain('appendonly');
  });

  it('starts only entry points that the build produces', () => {
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    const entries = [...compose.matchAll(/"(dist\/[^"]+\.js)"/g)].map((match) => match[1]!);
    expect(entries.length).toBeGreaterThan(5);
    const sources = entries.map((entry) => join(root, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts')));
    for (const source of sources) expect(() => readFileSync(source)).not.toThrow();
  });
});
