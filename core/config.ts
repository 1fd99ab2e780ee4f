import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import Type, { type Static } from 'typebox';

/**
 * Every environment variable the processes read, validated once at start. Nothing else in the code
 * reads process.env: the parsed Config is passed in.
 */
const EnvSchema = Type.Object({
  PCS_DATA_DIR: Type.String({ default: '.data', minLength: 1 }),
  PCS_DB_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TEMPORAL_ADDRESS: Type.Optional(Type.String({ pattern: '^[^\\s:]+:\\d+$' })),
  TEMPORAL_NAMESPACE: Type.String({ default: 'default', minLength: 1 }),
  TEMPORAL_PORT: Type.Integer({ default: 7233, minimum: 1, maximum: 65535 }),
  TEMPORAL_UI_PORT: Type.Integer({ default: 8233, minimum: 1, maximum: 65535 }),
  TEMPORAL_UI_URL: Type.Optional(Type.String({ minLength: 1 })),
  PCS_TASK_QUEUE: Type.String({ default: 'pcs-suite', minLength: 1 }),
  PCS_LLM_TASK_QUEUE: Type.Optional(Type.String({ minLength: 1 })),
  PCS_WORKER_ROLE: Type.Enum(['all', 'llm'], { default: 'all' }),
  API_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  API_PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  OLLAMA_HOST: Type.String({ default: 'http://127.0.0.1:11434', pattern: '^https?://' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  WEBHOOK_URLS: Type.Optional(Type.String()),
  WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  PCS_JUDGE_MODEL: Type.Optional(Type.String({ minLength: 1 })),
  PCS_EMBED_MODEL: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  LOG_FORMAT: Type.Enum(['pretty', 'json'], { default: 'pretty' }),
  PCS_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  PCS_READS_REQUIRE_KEY: Type.Boolean({ default: false }),
  CORS_ORIGINS: Type.Optional(Type.String()),
  PCS_ALLOWED_HOSTS: Type.Optional(Type.String()),
  RATE_LIMIT_MAX: Type.Integer({ default: 600, minimum: 1 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ default: 60_000, minimum: 1000 }),
  PCS_UI_DIR: Type.Optional(Type.String({ minLength: 1 })),
  PCS_REGRESSION_ALPHA: Type.Number({ default: 0.05, exclusiveMinimum: 0, maximum: 0.5 }),
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  SENTRY_DSN: Type.Optional(Type.String({ pattern: '^https?://' })),
  SENTRY_ENVIRONMENT: Type.Optional(Type.String({ minLength: 1 })),
  PCS_WORKER_METRICS_ADDRESS: Type.Optional(
    Type.String({ pattern: '^[^\\s]+:\\d+$', description: 'host:port of the worker Prometheus endpoint' }),
  ),
});
type Env = Static<typeof EnvSchema>;

/** ui/build of this checkout, wherever the process was started from. */
const DEFAULT_UI_BUILD_DIR = fileURLToPath(new URL('../ui/build', import.meta.url));

export type Config = {
  dataDir: string;
  dbFile: string;
  temporal: {
    /** host:port of an external server; undefined means "start the embedded dev server". */
    externalAddress: string | undefined;
    address: string;
    namespace: string;
    port: number;
    uiPort: number;
    uiUrl: string;
    taskQueue: string;
    /** Model calls of new runs go to this queue (the scale path); all on `taskQueue` when undefined. */
    llmTaskQueue: string | undefined;
  };
  /** `all`: workflows, database activities (and the LLM queue, when set); `llm`: only model calls. */
  workerRole: 'all' | 'llm';
  api: { host: string; port: number };
  /** The dashboard's SvelteKit build, served by the API under /ui. */
  ui: { buildDir: string };
  /** OTLP/HTTP collector base URL (e.g. http://jaeger:4318): traces are exported there; off when undefined. */
  otlpEndpoint: string | undefined;
  /** Sentry: errors of the API and the worker are reported there when `dsn` is set. */
  sentry: { dsn: string | undefined; environment: string | undefined };
  /** Where the worker serves the Temporal SDK's Prometheus metrics (`/metrics`); off when undefined. */
  workerMetricsAddress: string | undefined;
  ollamaHost: string;
  redisUrl: string | undefined;
  webhooks: { urls: string[]; secret: string | undefined };
  models: { judge: string | undefined; embedder: string | undefined };
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT'] };
  /** The API's own settings: public base URL for links, key policy, CORS and rate limits. */
  http: {
    publicUrl: string;
    readsRequireKey: boolean;
    corsOrigins: string[];
    rateLimit: { max: number; windowMs: number };
    /**
     * Host names the dashboard answers to, and from which the first API key may be created without one: a
     * page on any other name that resolves here (DNS rebinding) gets nothing.
     */
    allowedHosts: string[];
  };
  /** Significance level at which a judged run's drop against its baseline counts as a regression. */
  regression: { alpha: number };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true });
const validateEnv = ajv.compile<Env>(EnvSchema);

export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const raw = pickNonEmpty(env, Object.keys(EnvSchema.properties));
  if (!validateEnv(raw)) {
    const problems = (validateEnv.errors ?? []).map(
      (e) => `${e.instancePath.slice(1) || 'env'} ${e.message}`,
    );
    throw new ConfigError(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  const config = toConfig(raw, cwd);
  if (config.workerRole === 'llm' && !config.temporal.llmTaskQueue) {
    throw new ConfigError(
      'Invalid environment:\n  PCS_WORKER_ROLE=llm needs PCS_LLM_TASK_QUEUE (a queue other than PCS_TASK_QUEUE)',
    );
  }
  if (config.webhooks.urls.length > 0 && !config.webhooks.secret) {
    throw new ConfigError(
      'Invalid environment:\n  WEBHOOK_URLS is set but WEBHOOK_SECRET is not: webhooks are always signed',
    );
  }
  return config;
}

function pickNonEmpty(env: Record<string, string | undefined>, keys: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key]?.trim();
    if (value) picked[key] = value;
  }
  return picked;
}

function toConfig(env: Env, cwd: string): Config {
  const dataDir = path.resolve(cwd, env.PCS_DATA_DIR);
  const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT}`;
  return {
    dataDir,
    dbFile: env.PCS_DB_FILE ? path.resolve(cwd, env.PCS_DB_FILE) : path.join(dataDir, 'pcs.sqlite'),
    temporal: {
      externalAddress: env.TEMPORAL_ADDRESS,
      address,
      namespace: env.TEMPORAL_NAMESPACE,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      uiUrl: env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
      taskQueue: env.PCS_TASK_QUEUE,
      llmTaskQueue: env.PCS_LLM_TASK_QUEUE === env.PCS_TASK_QUEUE ? undefined : env.PCS_LLM_TASK_QUEUE,
    },
    workerRole: env.PCS_WORKER_ROLE,
    api: { host: env.API_HOST, port: env.API_PORT },
    ui: { buildDir: env.PCS_UI_DIR ? path.resolve(cwd, env.PCS_UI_DIR) : DEFAULT_UI_BUILD_DIR },
    workerMetricsAddress: env.PCS_WORKER_METRICS_ADDRESS,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, ''),
    sentry: { dsn: env.SENTRY_DSN, environment: env.SENTRY_ENVIRONMENT },
    ollamaHost: env.OLLAMA_HOST,
    redisUrl: env.REDIS_URL,
    webhooks: { urls: splitList(env.WEBHOOK_URLS), secret: env.WEBHOOK_SECRET },
    models: { judge: env.PCS_JUDGE_MODEL, embedder: env.PCS_EMBED_MODEL },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    http: {
      publicUrl: (env.PCS_PUBLIC_URL ?? `http://${env.API_HOST}:${env.API_PORT}`).replace(/\/$/, ''),
      readsRequireKey: env.PCS_READS_REQUIRE_KEY,
      corsOrigins: splitList(env.CORS_ORIGINS),
      allowedHosts: allowedHosts(env),
      rateLimit: { max: env.RATE_LIMIT_MAX, windowMs: env.RATE_LIMIT_WINDOW_MS },
    },
    regression: { alpha: env.PCS_REGRESSION_ALPHA },
  };
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** Loopback names, the public URL's host, the listen address unless a wildcard, and PCS_ALLOWED_HOSTS. */
function allowedHosts(env: Env): string[] {
  const publicHost = env.PCS_PUBLIC_URL
    ? new URL(env.PCS_PUBLIC_URL).hostname.replace(/^\[|\]$/g, '')
    : undefined;
  const listenHost = ['0.0.0.0', '::'].includes(env.API_HOST) ? undefined : env.API_HOST;
  const names = [...LOOPBACK_NAMES, publicHost, listenHost, ...splitList(env.PCS_ALLOWED_HOSTS)];
  return [...new Set(names.filter((n): n is string => Boolean(n)).map((n) => n.toLowerCase()))];
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
