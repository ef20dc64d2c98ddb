import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';

describe('config', () => {
  it('keeps raw usage and labels costs in credits unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ usageRetentionDays: undefined, priceCurrency: 'credits' });
    expect(loadConfig({ USAGE_RETENTION_DAYS: '90', PRICE_CURRENCY: 'EUR' })).toMatchObject({ usageRetentionDays: 90, priceCurrency: 'EUR' });
    expect(() => loadConfig({ USAGE_RETENTION_DAYS: '0' })).toThrow(/USAGE_RETENTION_DAYS="0": expected at least 1/);
  });

  it('has working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.ollamaUrls).toEqual(['http://127.0.0.1:11434']);
    expect(c.builtinModels).toBe(true);
    expect(c.logLevel).toBe('info');
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('reads every documented variable', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATA_DIR: '/tmp/x',
      DATABASE_URL: 'postgresql://u@h:5432/db',
      OLLAMA_URL: 'http://a:11434/, http://b:11434',
      ADMIN_KEY: 'a-very-long-admin-key',
      BUILTIN_MODELS: 'off',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: '/tmp/x',
      databaseUrl: 'postgresql://u@h:5432/db',
      ollamaUrls: ['http://a:11434', 'http://b:11434'],
      adminKey: 'a-very-long-admin-key',
      builtinModels: false,
      logLevel: 'debug',
    });
  });

  it('names every bad variable in one error, one line each', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ PORT: 'eighty', OLLAMA_URL: 'ftp://x', BUILTIN_MODELS: 'maybe', DATABASE_URL: 'mysql://x', ADMIN_KEY: 'short' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const vars = error!.problems.map((p) => p.split(/[=:]/)[0]).sort();
    expect(vars).toEqual(['ADMIN_KEY', 'BUILTIN_MODELS', 'DATABASE_URL', 'OLLAMA_URL', 'PORT']);
    expect(error!.message).toContain('PORT="eighty"');
  });

  it('never echoes a secret in its messages', () => {
    let message = '';
    try {
      loadConfig({ ADMIN_KEY: 'hunter2', DATABASE_URL: 'postgress://app:S3cretPw@db/x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('ADMIN_KEY: expected at least 16 characters');
    expect(message).toContain('DATABASE_URL: expected a postgresql:// URL');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('S3cretPw');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8080, databaseUrl: undefined });
  });
});
