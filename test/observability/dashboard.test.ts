import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MetricsRegistry } from '../../src/observability/metrics';

const DOCS = path.resolve(__dirname, '../../docs');
const HISTOGRAM_SUFFIXES = /_(bucket|sum|count)$/;

/** Every metric family any role registers: the union of what the manager, clusters, workers and board serve. */
async function registeredFamilies(): Promise<Map<string, string>> {
  const metrics = new MetricsRegistry('contract');
  metrics.interactions();
  metrics.cache(() => ({
    enabled: true,
    local: { hits: 0, misses: 0, loads: 0, invalidations: 0, errors: 0 },
    redis: { hits: 0, misses: 0, loads: 0, invalidations: 0, errors: 0 },
    database: { loads: 0 },
  }));
  metrics.queues(async () => ({}));
  metrics.jobs();
  metrics.errorsCaptured();
  metrics.clusterRestarts();
  metrics.shardsDisconnected(() => 0);
  metrics.clustersHalted(() => []);
  return new Map((await metrics.registry.getMetricsAsJSON()).map((metric) => [metric.name, String(metric.type)]));
}

/** The `moddy_*` names a document uses, histogram series folded into their family. */
function namesUsedIn(file: string): string[] {
  const text = readFileSync(path.join(DOCS, file), 'utf8');
  return [...new Set([...text.matchAll(/\bmoddy_[a-z0-9_]+/g)].map((match) => match[0].replace(HISTOGRAM_SUFFIXES, '')))];
}

describe('the metrics contract of the docs', () => {
  it('the Grafana dashboard and the alerts only use metrics the code registers', async () => {
    const families = await registeredFamilies();
    const histograms = new Set([...families].filter(([, type]) => type === 'histogram').map(([name]) => name));
    for (const file of ['grafana-dashboard.json', 'moddy-alerts.yml']) {
      const unknown = namesUsedIn(file).filter((name) => !families.has(name) && !histograms.has(name));
      expect(`${file}: ${unknown.join(', ')}`).toBe(`${file}: `);
    }
  });

  it('the dashboard is importable JSON with a Prometheus input and a query in every panel', () => {
    const dashboard = JSON.parse(readFileSync(path.join(DOCS, 'grafana-dashboard.json'), 'utf8')) as {
      __inputs: { pluginId: string }[];
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    expect(dashboard.__inputs.map((input) => input.pluginId)).toEqual(['prometheus']);
    const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(graphs.length).toBeGreaterThan(10);
    for (const panel of graphs) expect(`${panel.title}: ${panel.targets?.length ?? 0}`).not.toBe(`${panel.title}: 0`);
  });

  it('docs/metrics.md lists every family the code registers under its own name', async () => {
    const listed = readFileSync(path.join(DOCS, 'metrics.md'), 'utf8');
    const ours = [...(await registeredFamilies()).keys()].filter((name) => !/^moddy_(process|nodejs)_/.test(name));
    expect(ours.filter((name) => !listed.includes(`\`${name}\``))).toEqual([]);
  });
});
