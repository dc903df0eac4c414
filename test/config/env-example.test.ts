import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configFields, parseConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');
/** Settings of ecosystem.config.js only: listed too, but not in the processes' schema. */
const PM2_ONLY = ['PM2_LOG_DIR', 'PM2_HEALTH_PORT_BASE'];

/** `NAME=value` lines of .env.example, commented out or not. */
function exampleEntries(): { name: string; value: string }[] {
  const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
  return lines.flatMap((line) => {
    const match = /^#? ?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [{ name: match[1]!, value: match[2]! }] : [];
  });
}

describe('.env.example', () => {
  const entries = exampleEntries();

  it('lists every variable of the configuration schema once, and nothing else', () => {
    const names = entries.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => !PM2_ONLY.includes(name)).sort()).toEqual(Object.keys(configFields.shape).sort());
  });

  it("shows each variable's real default (empty when it has none)", () => {
    const defaults = parseConfig({}) as Record<string, unknown>;
    for (const entry of entries.filter((candidate) => !PM2_ONLY.includes(candidate.name))) {
      const value = defaults[entry.name];
      const expected = value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value);
      expect({ name: entry.name, value: entry.value }).toEqual({ name: entry.name, value: expected });
    }
  });

  it('explains each variable in the comment above it (or above its group)', () => {
    const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
    const isEntry = (line: string) => /^#? ?[A-Z][A-Z0-9_]*=/.test(line);
    for (const [index, line] of lines.entries()) {
      if (!isEntry(line)) continue;
      let above = index - 1;
      while (above >= 0 && isEntry(lines[above]!)) above--;
      const meaning = lines[above] ?? '';
      // A real sentence, not a blank line or a section title.
      expect({ line, meaning: /^# [^-]/.test(meaning) }).toEqual({ line, meaning: true });
    }
  });

  it('sets nothing when copied as is: every line is commented out', () => {
    expect(
      readFileSync(path.join(ROOT, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z]/.test(line)),
    ).toEqual([]);
  });
});
