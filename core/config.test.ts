import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('fills sane defaults for the embedded setup', () => {
    const config = loadConfig({}, '/srv/pcs');
    expect(config.dbFile).toBe('/srv/pcs/.data/pcs.sqlite');
    expect(config.temporal.externalAddress).toBeUndefined();
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.temporal.uiUrl).toBe('http://127.0.0.1:8233');
    expect(config.api).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.redisUrl).toBeUndefined();
  });

  it('coerces ports, honours an external Temporal and splits webhook URLs', () => {
    const config = loadConfig(
      {
        API_PORT: '4000',
        TEMPORAL_ADDRESS: 'temporal:7233',
        WEBHOOK_URLS: 'http://a/hook, http://b/hook',
        WEBHOOK_SECRET: 'a-secret-of-16-chars',
        REDIS_URL: '',
      },
      '/x',
    );
    expect(config.api.port).toBe(4000);
    expect(config.temporal.externalAddress).toBe('temporal:7233');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.webhooks.urls).toEqual(['http://a/hook', 'http://b/hook']);
    expect(config.redisUrl).toBeUndefined();
  });

  it('reads the regression significance level, 0.05 by default, and refuses one outside (0, 0.5]', () => {
    expect(loadConfig({}).regression).toEqual({ alpha: 0.05 });
    expect(loadConfig({ PCS_REGRESSION_ALPHA: '0.01' }).regression.alpha).toBe(0.01);
    expect(() => loadConfig({ PCS_REGRESSION_ALPHA: '0' })).toThrow(/PCS_REGRESSION_ALPHA/);
    expect(() => loadConfig({ PCS_REGRESSION_ALPHA: '0.9' })).toThrow(/PCS_REGRESSION_ALPHA/);
  });

  it('refuses webhook URLs without a signing secret', () => {
    expect(() => loadConfig({ WEBHOOK_URLS: 'http://a/hook' })).toThrow(/WEBHOOK_SECRET/);
  });

  it('reports every bad variable at once by name', () => {
    const bad = () => loadConfig({ API_PORT: 'abc', OLLAMA_HOST: 'localhost:11434', LOG_LEVEL: 'loud' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/API_PORT[\s\S]*OLLAMA_HOST[\s\S]*LOG_LEVEL/);
  });
});
