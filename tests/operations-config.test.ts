import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';

describe('config: logs and metrics', () => {
  it('defaults to automatic log format, an access log, and no metrics token or port', () => {
    expect(loadConfig({})).toMatchObject({ logFormat: 'auto', accessLog: true, metricsToken: undefined, metricsPort: undefined });
  });

  it('reads LOG_FORMAT, ACCESS_LOG, METRICS_TOKEN and METRICS_PORT', () => {
    const c = loadConfig({ LOG_FORMAT: 'json', ACCESS_LOG: 'false', METRICS_TOKEN: 'a-long-metrics-token', METRICS_PORT: '9464' });
    expect(c).toMatchObject({ logFormat: 'json', accessLog: false, metricsToken: 'a-long-metrics-token', metricsPort: 9464 });
  });

  it('names each bad variable, and never echoes the metrics token', () => {
    try {
      loadConfig({ LOG_FORMAT: 'fancy', ACCESS_LOG: 'maybe', METRICS_TOKEN: 'short-secret', METRICS_PORT: '99999' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.map((p) => p.split(/[=:]/)[0])).toEqual(['LOG_FORMAT', 'ACCESS_LOG', 'METRICS_TOKEN', 'METRICS_PORT']);
      expect(problems.join('\n')).not.toContain('short-secret');
    }
  });
});
