import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../core/config.ts';
import { DEV_SERVER_DYNAMIC_CONFIG, SEARCH_ATTRIBUTES } from '../workflows/shared.ts';

/**
 * docker-compose.yml, its Temporal setup and the Dockerfile against the code they run: no Docker engine
 * runs here, so these check what would otherwise only break at `docker compose up` (scripts/check-infra.sh
 * validates the files' syntax with docker-compose, actionlint and promtool).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Service = {
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string | number | boolean>;
  build?: { target?: string };
};

/** docker-compose.yml with `${VAR:-default}` and the like resolved from `env`, as Compose does after parsing. */
function composeFile(env: Record<string, string>): { services: Record<string, Service> } {
  const interpolate = (text: string): string =>
    text.replace(
      /\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g,
      (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
        if (whole === '$$') return '$';
        const value = name ? env[name] : undefined;
        if (op === ':?' || op === '?') {
          if (!value) throw new Error(`${name} is required: ${arg}`);
          return value;
        }
        if (op === ':-') return value || (arg ?? '');
        if (op === '-') return value ?? arg ?? '';
        return value ?? '';
      },
    );
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolate(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value)]));
    }
    return node;
  };
  return walk(parseYaml(read('docker-compose.yml'), { merge: true })) as {
    services: Record<string, Service>;
  };
}

const SECRETS = { POSTGRES_PASSWORD: 'pg-secret', GRAFANA_ADMIN_PASSWORD: 'grafana-secret' };

function stringEnv(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

describe('docker-compose.yml', () => {
  it('takes the database and Grafana passwords (required) and the webhook secret from the environment', () => {
    expect(() => composeFile({})).toThrow(/POSTGRES_PASSWORD is required/);
    expect(() => composeFile({ POSTGRES_PASSWORD: 'x' })).toThrow(/GRAFANA_ADMIN_PASSWORD is required/);
    const services = composeFile({ ...SECRETS, WEBHOOK_SECRET: 'from-the-environment-123' }).services;
    expect(services.postgresql?.environment?.POSTGRES_PASSWORD).toBe('pg-secret');
    expect(services.worker?.environment?.WEBHOOK_SECRET).toBe('from-the-environment-123');
    expect(composeFile(SECRETS).services.worker?.environment?.WEBHOOK_SECRET).toBe('');
  });

  it('gives the API and the worker a configuration the app accepts, pointing at the other services', () => {
    const { api, worker } = composeFile(SECRETS).services;
    const configSource = read('core/config.ts');
    for (const service of [api, worker]) {
      const env = stringEnv(service ?? {});
      // Every variable set is one the config module reads; an unread one would be a setting that does nothing.
      for (const name of Object.keys(env)) expect(configSource, name).toContain(`${name}: Type.`);
      const config = loadConfig(env, '/app');
      expect(config.temporal.externalAddress).toBe('temporal:7233');
      expect(config.dbFile).toBe('/data/pcs.sqlite');
      expect(config.ollamaHost).toBe('http://ollama:11434');
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(config.log.format).toBe('json');
    }
    expect(loadConfig(stringEnv(api ?? {}), '/app').api).toEqual({ host: '0.0.0.0', port: 3000 });
  });

  it('lets the worker scale: no fixed container name, no published port', () => {
    const { worker } = composeFile(SECRETS).services;
    expect(worker?.build?.target).toBe('worker');
    expect(worker?.container_name).toBeUndefined();
    expect(worker?.ports).toBeUndefined();
  });

  it('registers every search attribute SuiteRun workflows are started with', () => {
    const script = read('infra/temporal/scripts/setup-namespace.sh');
    const listed = /^SEARCH_ATTRIBUTES="([^"]*)"$/m.exec(script)?.[1]?.split(/\s+/) ?? [];
    expect(listed.sort()).toEqual(Object.values(SEARCH_ATTRIBUTES).sort());
  });

  it('gives the Temporal server the dynamic config the embedded dev server runs with', () => {
    const dynamic = parseYaml(read('infra/temporal/dynamicconfig/pcs.yaml')) as Record<
      string,
      { value: unknown }[]
    >;
    for (const setting of DEV_SERVER_DYNAMIC_CONFIG) {
      const [key = '', value = ''] = setting.split('=');
      expect(dynamic[key]?.[0]?.value, key).toEqual(parseYaml(value));
    }
  });
});

describe('infra/docker/Dockerfile', () => {
  const dockerfile = read('infra/docker/Dockerfile');
  const dockerignore = read('.dockerignore');
  const ENTRY_POINTS = ['api/server.ts', 'worker/main.ts', 'cli/main.ts', 'workflows/index.ts'];
  /** Referenced by the code but never used in a container, which always has TEMPORAL_ADDRESS set. */
  const NOT_NEEDED_IN_IMAGE = new Set(['scripts']); // scripts/temporal-cli.sh: the embedded dev server's CLI

  it('starts the API and the worker the way `pcs start` does', () => {
    expect(dockerfile).toMatch(
      /FROM runtime AS api\n[\s\S]*?CMD \["node", "--import", "tsx", "api\/server\.ts"\]/,
    );
    expect(dockerfile).toMatch(
      /FROM runtime AS worker\nCMD \["node", "--import", "tsx", "worker\/main\.ts"\]/,
    );
  });

  it('copies every top-level file and folder the entry points load at run time, and the context has them', () => {
    const copyLines = dockerfile.split('\n').filter((line) => line.startsWith('COPY --from=build '));
    const copied = new Set(
      copyLines.flatMap((line) => [...line.matchAll(/\/app\/([\w.-]+)/g)].map((m) => m[1])),
    );
    const whitelisted = new Set([...dockerignore.matchAll(/^!([\w.-]+)\/?$/gm)].map((m) => m[1]));
    const needed = topLevelEntriesLoadedBy(ENTRY_POINTS);
    expect(needed).toContain('package.json'); // read by api/plugins/openapi.ts
    expect(needed).toContain('db'); // the migrations folder
    for (const entry of [...needed].filter((e) => !NOT_NEEDED_IN_IMAGE.has(e))) {
      expect(copied, `the Dockerfile copies ${entry}`).toContain(entry);
      expect(whitelisted, `.dockerignore lets ${entry} in`).toContain(entry);
    }
  });
});

/**
 * Follows relative imports (static, dynamic and `new URL(..., import.meta.url)`) from the entry points and
 * returns the top-level file or folder of everything reached.
 */
function topLevelEntriesLoadedBy(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const folders = new Set<string>();
  const queue = entries.map((entry) => path.join(ROOT, entry));
  const references = /(?:from\s+|import\s*\(\s*|import\s+|new URL\(\s*)'(\.{1,2}\/[^']+)'/g;
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    folders.add(path.relative(ROOT, file).split(path.sep)[0] ?? '');
    if (!existsSync(file) || statSync(file).isDirectory() || !file.endsWith('.ts')) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(references)) {
      const target = path.resolve(path.dirname(file), match[1] ?? '');
      if (existsSync(target)) queue.push(target);
    }
  }
  return folders;
}
