import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { shopConfig } from '../../src/services/shop/config.js';

describe('loadConfig', () => {
  it('has sane defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.db.url).toBeUndefined();
    expect(config.dataDir.endsWith('.data')).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.services).toBeUndefined();
    expect(config.events.publishLingerMs).toBe(5);
    expect(config.http.trustProxy).toBe(false);
  });

  it('reads which proxies to trust for the client address', () => {
    const trust = (TRUST_PROXY: string) => loadConfig({ TRUST_PROXY }).http.trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust(' 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8')).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      DATA_DIR: '/tmp/x',
      DB_POOL_SIZE: '5',
      LOG_LEVEL: 'debug',
      SERVICES: ' shop , tracking ',
      SHUTDOWN_TIMEOUT_MS: '500',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      MAX_DB_WAITING: '7',
      EVENTS_PUBLISH_LINGER_MS: '0',
    });
    expect(config).toMatchObject({
      http: { host: '0.0.0.0', port: 9000, shutdownTimeoutMs: 500, maxEventLoopDelayMs: 0, maxDbWaiting: 7 },
      db: { url: 'postgres://u:p@db:5432/x', poolSize: 5 },
      events: { publishLingerMs: 0 },
      dataDir: '/tmp/x',
      logLevel: 'debug',
      services: ['shop', 'tracking'],
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'integer from 0 to 65535'],
    [{ PORT: '70000' }, 'PORT', 'integer'],
    [{ DB_POOL_SIZE: '0' }, 'DB_POOL_SIZE', 'from 1'],
    [{ EVENTS_PUBLISH_LINGER_MS: '-1' }, 'EVENTS_PUBLISH_LINGER_MS', 'from 0 to 1000'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'one of fatal, error'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', 'must be a URL'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL', 'postgres://'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY', 'addresses or CIDRs'],
    [{ TRUST_PROXY: '127.0.0.1,nginx' }, 'TRUST_PROXY', 'addresses or CIDRs'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY', 'addresses or CIDRs'],
    [{ TRUST_PROXY: '99' }, 'TRUST_PROXY', 'up to 16'],
  ])('refuses %o naming the variable', (env, variable, allowed) => {
    try {
      loadConfig(env);
      expect.unreachable('loadConfig accepted a bad value');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).toContain(variable);
      expect((err as Error).message).toContain(allowed);
    }
  });

  it('validates the shop concurrency mode', () => {
    expect(shopConfig({}).concurrency).toBe('atomic');
    expect(shopConfig({ SHOP_CONCURRENCY: 'queued' }).concurrency).toBe('queued');
    expect(() => shopConfig({ SHOP_CONCURRENCY: 'yolo' })).toThrow(/SHOP_CONCURRENCY.*atomic, pessimistic/);
  });
});
