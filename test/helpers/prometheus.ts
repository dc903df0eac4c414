/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Metric family → its `# TYPE`. */
  types: Map<string, string>;
  samples: Sample[];
  /** Samples of one family (histograms: `_bucket`, `_sum` and `_count` included) matching `labels`. */
  find(family: string, labels?: Record<string, string>): Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * Parses a `/metrics` answer as Prometheus would, and throws on what Prometheus rejects: a family
 * typed twice, a sample of no declared family, a counter not named `_total`.
 */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name = '', type = ''] = line.slice(7).split(' ');
      if (types.has(name)) throw new Error(`${name} is typed twice`);
      if (type === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} does not end in _total`);
      types.set(name, type);
    } else if (line !== '' && !line.startsWith('#')) {
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`unparsable sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((label) => [label[1] ?? '', label[2] ?? '']));
      samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
    }
  }
  const familyOf = (name: string): string | undefined =>
    types.has(name)
      ? name
      : SUFFIXES.filter((suffix) => name.endsWith(suffix))
          .map((suffix) => name.slice(0, -suffix.length))
          .find((base) => types.get(base) === 'histogram');
  for (const sample of samples) {
    if (familyOf(sample.name) === undefined) throw new Error(`${sample.name} has no # TYPE`);
  }
  return {
    types,
    samples,
    find: (family, labels = {}) =>
      samples.filter(
        (sample) => familyOf(sample.name) === family && Object.entries(labels).every(([name, value]) => sample.labels[name] === value),
      ),
  };
}
