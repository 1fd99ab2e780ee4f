import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildApi } from './helpers/api.ts';
import { closedPort } from './helpers/ports.ts';
import { insertResult, insertRun, storeCard } from './helpers/runs-api.ts';
import { createSuiteHarness, harnessWorkerEnv, type SuiteHarness } from './helpers/suite.ts';
import { killHard, spawnWorker, type WorkerProcess } from './helpers/worker-process.ts';

/**
 * What the monitoring stack queries must be what the code exports. Every metric (and label) named in the
 * Grafana dashboards and the Prometheus alert rules is looked up in the real /metrics output of the API and
 * of a worker process that ran a suite, and the Prometheus files pass promtool (Debian's `prometheus` package).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DASHBOARDS_DIR = path.join(ROOT, 'infra/grafana/dashboards');
const PROMETHEUS_DIR = path.join(ROOT, 'infra/prometheus');

type Query = { where: string; expr: string };

function dashboardQueries(): Query[] {
  const queries: Query[] = [];
  for (const file of readdirSync(DASHBOARDS_DIR).filter((name) => name.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8'));
    const visit = (panels: Panel[] = []) => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          if (target.expr)
            queries.push({ where: `${file} "${panel.title}" ${target.refId}`, expr: target.expr });
        }
        visit(panel.panels);
      }
    };
    visit(dashboard.panels);
  }
  return queries;
}
type Panel = { title?: string; targets?: { refId?: string; expr?: string }[]; panels?: Panel[] };

function alertQueries(): Query[] {
  const rules = parseYaml(readFileSync(path.join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `alerts.yml ${rule.alert ?? rule.record}`, expr: rule.expr })),
  );
}

// ---- A small PromQL reader: the series selectors and grouping labels of an expression ----

type Matcher = { label: string; op: string; value: string };
type Selector = { metric: string; matchers: Matcher[] };

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Series selectors (metric plus label matchers) and the labels of by/without/on/ignoring clauses. */
function readPromql(expr: string): { selectors: Selector[]; groupingLabels: string[] } {
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i] ?? '')) i++;
  };
  const closing = (open: string, close: string): number => {
    const end = expr.indexOf(close, i);
    if (end < 0) throw new Error(`unclosed ${open} in ${expr}`);
    return end;
  };
  while (i < expr.length) {
    const ch = expr[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      i = expr.indexOf(ch, i + 1) + 1; // a string argument (label_replace and the like)
    } else if (ch === '[') {
      i = closing('[', ']') + 1; // range or subquery: durations and Grafana's $__rate_interval
    } else if (ch === '{') {
      throw new Error(`selector without a metric name in ${expr}: name the metric`);
    } else if (/[0-9.]/.test(ch)) {
      while (i < expr.length && /[\w.]/.test(expr[i] ?? '')) i++; // number or duration (offset 10m)
    } else if (/[a-zA-Z_:]/.test(ch)) {
      const start = i;
      while (i < expr.length && /[\w:]/.test(expr[i] ?? '')) i++;
      const word = expr.slice(start, i);
      skipSpace();
      if (LABEL_LIST_KEYWORDS.has(word)) {
        if (expr[i] === '(') {
          const end = closing('(', ')');
          groupingLabels.push(
            ...expr
              .slice(i + 1, end)
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          );
          i = end + 1;
        }
      } else if (AGGREGATIONS.has(word) || KEYWORDS.has(word) || expr[i] === '(') {
        // an aggregation, a keyword or a function call: not a series
      } else {
        const matchers: Matcher[] = [];
        if (expr[i] === '{') {
          const end = closing('{', '}');
          for (const part of expr.slice(i + 1, end).split(',')) {
            if (!part.trim()) continue;
            const m = /^\s*([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)"\s*$/.exec(part);
            if (!m?.[1] || !m[2] || m[3] === undefined)
              throw new Error(`cannot read matcher "${part}" in ${expr}`);
            matchers.push({ label: m[1], op: m[2], value: m[3] });
          }
          i = end + 1;
        }
        selectors.push({ metric: word, matchers });
      }
    } else {
      i++; // operators and parentheses
    }
  }
  return { selectors, groupingLabels };
}

// ---- The API's exposition: sample names and their label sets ----

type Exposition = { families: Set<string>; samples: Map<string, Record<string, string>[]> };

function merge(a: Exposition, b: Exposition): Exposition {
  return {
    families: new Set([...a.families, ...b.families]),
    samples: new Map([...a.samples, ...b.samples]),
  };
}

function parseExposition(text: string): Exposition {
  const families = new Set<string>();
  const samples = new Map<string, Record<string, string>[]>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) \S+$/.exec(line);
    if (type?.[1]) families.add(type[1]);
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample?.[1]) continue;
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (m[1]) labels[m[1]] = m[2] ?? '';
    }
    const list = samples.get(sample[1]) ?? [];
    list.push(labels);
    samples.set(sample[1], list);
  }
  return { families, samples };
}

/** Labels Prometheus itself puts on every scraped series. */
const TARGET_LABELS = new Set(['job', 'instance']);

/** Problems with one query: metrics the API does not export, labels or label values it never uses. */
function problemsOf(query: Query, exported: Exposition): string[] {
  const problems: string[] = [];
  const { selectors, groupingLabels } = readPromql(query.expr);
  const knownLabels = new Set([...TARGET_LABELS]);
  for (const { metric, matchers } of selectors) {
    if (metric === 'up') {
      for (const m of matchers) {
        if (!TARGET_LABELS.has(m.label)) problems.push(`up{${m.label}} is not a target label`);
      }
      continue;
    }
    const series = exported.samples.get(metric);
    if (!series && !exported.families.has(metric)) {
      problems.push(`${metric} is exported by neither the API nor the worker`);
      continue;
    }
    for (const labels of series ?? []) for (const label of Object.keys(labels)) knownLabels.add(label);
    for (const m of matchers) {
      if (TARGET_LABELS.has(m.label)) continue;
      const values = new Set((series ?? []).flatMap((labels) => labels[m.label] ?? []));
      if (values.size === 0) {
        problems.push(`${metric} has no label "${m.label}"`);
      } else if (m.op === '=' && !values.has(m.value)) {
        problems.push(`${metric}{${m.label}="${m.value}"}: the API exports ${[...values].join(', ')}`);
      } else if (m.op === '=~' && /^[\w-]+(\|[\w-]+)*$/.test(m.value)) {
        const missing = m.value.split('|').filter((v) => !values.has(v));
        if (missing.length) problems.push(`${metric}{${m.label}=~"${m.value}"}: no ${missing.join(', ')}`);
      }
    }
  }
  for (const label of groupingLabels) {
    if (!knownLabels.has(label)) problems.push(`groups by "${label}", a label none of its metrics has`);
  }
  return problems.map((p) => `${query.where}: ${p}`);
}

describe('monitoring config names only what the code exports', () => {
  let h: SuiteHarness;
  let app: FastifyInstance;
  let exported: Exposition;

  beforeAll(async () => {
    h = await createSuiteHarness();
    app = await buildApi(h);
    // One stored run with a generated cell and an error cell, and one request, so that every metric
    // family has samples and its labels can be checked.
    const card = storeCard(
      h.database.db,
      'name: infra-metrics\nprompt: { template: "hi" }\nmodels: [echo]\ncases: [{ name: a }]\n',
    );
    const run = insertRun(h.database.db, card, { status: 'completed', totalCells: 2 });
    insertResult(h.database.db, run.id, { latencyMs: 120, cacheHit: false });
    insertResult(h.database.db, run.id, { repeat: 1, status: 'error', score: 0, errorType: 'timeout' });
    await app.inject({ method: 'GET', url: '/health/live' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    exported = merge(parseExposition(res.body), parseExposition(await workerMetricsAfterOneRun()));
  });
  afterAll(async () => {
    if (worker) await killHard(worker);
    await app?.close();
    await h?.close();
  });

  let worker: WorkerProcess | undefined;

  /** The real worker process's Temporal SDK metrics, once it has run a workflow and its activities. */
  async function workerMetricsAfterOneRun(): Promise<string> {
    const address = `127.0.0.1:${await closedPort()}`;
    worker = spawnWorker({
      ...harnessWorkerEnv(h),
      PCS_WORKER_METRICS_ADDRESS: address,
    });
    await worker.ready;
    const started = await h.startRun(
      'name: infra-worker\nprompt: { template: "hi" }\nmodels: [echo]\ncases: [{ name: a }]\n',
    );
    await started.handle.result();
    const response = await fetch(`http://${address}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  }

  it('the Grafana dashboards query only exported metrics, labels and label values', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(5);
    expect(queries.flatMap((q) => problemsOf(q, exported))).toEqual([]);
  });

  it('the alert rules query only exported metrics, labels and label values', () => {
    const queries = alertQueries();
    expect(queries.length).toBeGreaterThan(3);
    expect(queries.flatMap((q) => problemsOf(q, exported))).toEqual([]);
  });

  it('the check itself catches a metric, a label and a label value the API does not have', () => {
    const query = {
      where: 'example',
      expr: 'sum by (model) (rate(pcs_regressions_total[5m])) + pcs_runs_total{status="done"} + pcs_cells_total{result="pass"}',
    };
    expect(problemsOf(query, exported)).toEqual([
      'example: pcs_regressions_total is exported by neither the API nor the worker',
      'example: pcs_runs_total{status="done"}: the API exports queued, running, completed, failed, cancelled',
      'example: pcs_cells_total has no label "result"',
      'example: groups by "model", a label none of its metrics has',
    ]);
  });
});

// ---- promtool ----

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `$ ${command} ${args.join(' ')}\n${stdout}${stderr}` });
    });
  });
}

describe('promtool', () => {
  const promtool = onPath('promtool');
  const needPromtool = (): string => {
    if (!promtool) {
      expect.fail(
        "promtool is not on PATH. Install it with Debian's prometheus package: apt-get install -y --no-install-recommends prometheus",
      );
    }
    return promtool;
  };

  it('accepts the Prometheus config and its rule files', async () => {
    const result = await run(needPromtool(), ['check', 'config', 'infra/prometheus/prometheus.yml']);
    expect(result.code, result.output).toBe(0);
  });

  it('accepts the alert rules and their unit tests pass', async () => {
    const check = await run(needPromtool(), ['check', 'rules', 'infra/prometheus/alerts.yml']);
    expect(check.code, check.output).toBe(0);
    const tests = await run(needPromtool(), ['test', 'rules', 'infra/prometheus/alerts.test.yml']);
    expect(tests.code, tests.output).toBe(0);
  });

  it('parses every dashboard query as PromQL', async () => {
    const tool = needPromtool();
    // Grafana's interval variables stand for durations; as recording rules promtool parses each query.
    const rules = {
      groups: [
        {
          name: 'dashboards',
          rules: dashboardQueries().map((q, n) => ({
            record: `dashboard:query_${n}`,
            expr: q.expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m'),
          })),
        },
      ],
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'pcs-dashboards-'));
    try {
      const file = path.join(dir, 'dashboard-queries.yml');
      writeFileSync(file, JSON.stringify(rules));
      const result = await run(tool, ['check', 'rules', file]);
      expect(result.code, result.output).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
