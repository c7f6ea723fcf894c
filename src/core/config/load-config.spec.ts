import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from './app-config';
import {
  ConfigValidationError,
  loadConfig,
  readProcessEnvironment,
  validateEnvironment,
} from './load-config';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/alees' };
const STRONG = 'k'.repeat(24) + 'Zx9!Qw7#Lm4$Rt2%';

function problemsOf(raw: Record<string, string>): string[] {
  try {
    validateEnvironment(raw);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).problems;
  }
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.app).toMatchObject({
      port: 3000,
      workerPort: 3001,
      apiPrefix: 'api/v1',
      environment: 'development',
    });
    expect(config.pagination).toEqual({ defaultSize: 20, maxSize: 100 });
    expect(config.jwt).toMatchObject({
      algorithm: 'HS256',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 7 * 86400,
    });
    expect(config.rateLimit).toEqual({
      user: { limit: 1000, windowSeconds: 3600 },
      anonymous: { limit: 100, windowSeconds: 3600 },
    });
    expect(config.redis).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      queueDb: 0,
      cacheDb: 1,
      rateLimitDb: 2,
      flagsDb: 3,
    });
    expect(config.jwt.secret).toBe(DEVELOPMENT_JWT_SECRET);
  });

  it('REDIS_URL is a shortcut; explicit REDIS_* win over it', () => {
    expect(loadConfig({ ...base, REDIS_URL: 'redis://:s%40cret@cache:6390' }).redis).toMatchObject({
      host: 'cache',
      port: 6390,
      password: 's@cret',
    });
    expect(
      loadConfig({
        ...base,
        REDIS_URL: 'redis://cache:6390',
        REDIS_HOST: 'other',
        REDIS_PORT: '7000',
      }).redis,
    ).toMatchObject({
      host: 'other',
      port: 7000,
    });
  });

  it('parses lists, booleans and numbers; empty means unset', () => {
    const config = loadConfig({
      ...base,
      CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      DEBUG_MODE: 'yes',
      DATABASE_POOL_SIZE: '7',
      API_RATE_LIMIT_USER: '50/minute',
      SENTRY_DSN: '',
    });
    expect(config.app.corsAllowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.app.debug).toBe(true);
    expect(config.database.poolSize).toBe(7);
    expect(config.rateLimit.user).toEqual({ limit: 50, windowSeconds: 60 });
    expect(config.sentry.dsn).toBeUndefined();
  });

  it('names every invalid variable at once, without echoing secret values', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://root:hunter2@db/x',
      LOG_LEVEL: 'loud',
      API_RATE_LIMIT_USER: 'lots',
    });
    const names = problems.map((p) => p.split(':')[0]).sort();
    expect(names).toEqual(['API_RATE_LIMIT_USER', 'DATABASE_URL', 'LOG_LEVEL', 'PORT']);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('DATABASE_URL is required: "DATABASE_URL is missing", not a format complaint', () => {
    expect(problemsOf({})).toEqual(['DATABASE_URL is missing']);
    expect(problemsOf({ DATABASE_URL: '' })).toEqual(['DATABASE_URL is missing']);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual([
      'DATABASE_URL: must be a postgres:// URL',
    ]);
  });

  it.each(['production', 'staging'])(
    '%s refuses a missing, short or example JWT secret and requires Redis',
    (environment) => {
      expect(problemsOf({ ...base, ENVIRONMENT: environment }).join('\n')).toMatch(
        /JWT_SECRET_KEY: is required[\s\S]*REDIS_URL: is required/,
      );
      expect(
        problemsOf({
          ...base,
          ENVIRONMENT: environment,
          REDIS_URL: 'redis://r',
          JWT_SECRET_KEY: 'short',
        }),
      ).toEqual(['JWT_SECRET_KEY: must be at least 32 bytes']);
      expect(
        problemsOf({
          ...base,
          ENVIRONMENT: environment,
          REDIS_URL: 'redis://r',
          JWT_SECRET_KEY: DEVELOPMENT_JWT_SECRET,
        })[0],
      ).toMatch(/example\/development value/);
      expect(
        problemsOf({
          ...base,
          ENVIRONMENT: environment,
          REDIS_URL: 'redis://r',
          JWT_SECRET_KEY: STRONG,
        }),
      ).toEqual([]);
    },
  );

  describe('.env', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it('is read in development only, and real variables win over it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'alees-env-'));
      writeFileSync(join(dir, '.env'), 'APP_NAME=From File\nLOG_LEVEL=debug\n');
      delete process.env.ENVIRONMENT;
      delete process.env.APP_NAME;
      process.env.LOG_LEVEL = 'warn';
      expect(readProcessEnvironment(dir)).toMatchObject({
        APP_NAME: 'From File',
        LOG_LEVEL: 'warn',
      });
      process.env.ENVIRONMENT = 'production';
      expect(readProcessEnvironment(dir).APP_NAME).toBeUndefined();
    });
  });

  describe('TRUST_PROXY, METRICS_TOKEN, ALLOW_SIGNUP', () => {
    it('are off by default', () => {
      const config = loadConfig(base);
      expect(config.app.trustProxy).toBe(false);
      expect(config.app.allowSignup).toBe(false);
      expect(config.metrics.token).toBeUndefined();
    });

    it.each([
      ['false', false],
      ['0', false],
      ['1', 1],
      ['2', 2],
      ['10.0.0.0/8', ['10.0.0.0/8']],
      [
        '10.0.0.1, 172.16.0.0/12,fd00::/8,loopback',
        ['10.0.0.1', '172.16.0.0/12', 'fd00::/8', 'loopback'],
      ],
    ])('TRUST_PROXY=%s → trustProxy %j', (value, expected) => {
      expect(loadConfig({ ...base, TRUST_PROXY: value }).app.trustProxy).toEqual(expected);
    });

    it.each([
      'true',
      'yes',
      '33',
      '-1',
      '10.0.0.0/33',
      '10.0.0',
      'proxy.example.com',
      '10.0.0.1,',
      'fd00::/129',
    ])('refuses TRUST_PROXY=%s with one message naming it', (value) => {
      const problems = problemsOf({ ...base, TRUST_PROXY: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^TRUST_PROXY: /);
    });

    it('reads METRICS_TOKEN (a secret: never echoed) and ALLOW_SIGNUP', () => {
      const config = loadConfig({ ...base, METRICS_TOKEN: 'scrape-me', ALLOW_SIGNUP: 'true' });
      expect(config.metrics.token).toBe('scrape-me');
      expect(config.app.allowSignup).toBe(true);
    });
  });

  describe('webhooks', () => {
    it('allows no private host by default; the secrets key is 32 bytes and stable', () => {
      const config = loadConfig(base);
      expect(config.webhooks).toMatchObject({
        allowedPrivateHosts: [],
        retryBaseMs: 30_000,
        retryMaxMs: 3_600_000,
        retryWindowMs: 86_400_000,
        timeoutMs: 10_000,
        autoPauseAfterFailures: 20,
      });
      expect(config.webhooks.secretsKey).toHaveLength(32);
      expect(loadConfig(base).webhooks.secretsKey.equals(config.webhooks.secretsKey)).toBe(true);
      const own = loadConfig({ ...base, WEBHOOK_SECRETS_KEY: 'another key' }).webhooks.secretsKey;
      expect(own.equals(config.webhooks.secretsKey)).toBe(false);
    });

    it('reads WEBHOOK_ALLOWED_PRIVATE_HOSTS (hosts, IPs, CIDRs) and refuses anything else', () => {
      const config = loadConfig({
        ...base,
        WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1, 10.0.0.0/8,Hooks.Internal,fd00::/8',
      });
      expect(config.webhooks.allowedPrivateHosts).toEqual([
        '127.0.0.1',
        '10.0.0.0/8',
        'hooks.internal',
        'fd00::/8',
      ]);
      for (const value of ['10.0.0.0/33', 'http://x', 'a b', '1.2.3.4/8/1']) {
        const problems = problemsOf({ ...base, WEBHOOK_ALLOWED_PRIVATE_HOSTS: value });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^WEBHOOK_ALLOWED_PRIVATE_HOSTS: /);
      }
    });
  });
});
