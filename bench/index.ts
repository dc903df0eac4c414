import { run as adopt } from './adopt';
import { run as bot } from './bot';
import { run as cache } from './cache';
import { run as errorPipeline } from './error-pipeline';
import { run as interaction } from './interaction';
import { run as redisModes } from './redis-modes';

/**
 * `npm run bench`: runs every default benchmark section in turn (each prepares and drops its own
 * data). `npm run bench -- cache` runs only the named sections. Opt-in sections run only when
 * named (`adopt`; `redis-modes`, 1.5–2.5 min, which starts its own Redis servers); `name=N` sets
 * a section's size (`npm run bench -- adopt=100000`). The `bot` section runs its default sizes here;
 * `npm run bench:bot -- warm=… cold=… memory=…` sizes it.
 */
const SECTIONS: Record<string, () => Promise<void>> = { cache, 'error-pipeline': errorPipeline, interaction, bot };
const OPT_IN: Record<string, (size?: number) => Promise<void>> = { adopt, 'redis-modes': redisModes };

interface SelectedSection {
  name: string;
  size?: number;
}

function parseSection(arg: string): SelectedSection {
  const [name = '', size] = arg.split('=');
  if (!Object.hasOwn(SECTIONS, name) && !Object.hasOwn(OPT_IN, name)) {
    throw new Error(`unknown section ${name}; expected one of ${[...Object.keys(SECTIONS), ...Object.keys(OPT_IN)].join(', ')}`);
  }
  if (size === undefined) return { name };
  const parsed = Number(size);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${name}: size must be a positive integer, got ${size}`);
  return { name, size: parsed };
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).map(parseSection);
  const selected: SelectedSection[] = wanted.length > 0 ? wanted : Object.keys(SECTIONS).map((name) => ({ name }));
  for (const { name, size } of selected) {
    console.log(`\n== ${name} ==`);
    const section = SECTIONS[name];
    if (section) await section();
    else await OPT_IN[name]?.(size);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
