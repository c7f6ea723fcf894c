import { hkdfSync } from 'node:crypto';
import { Environment, EnvironmentVariables } from './env.schema';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RedisSettings {
  host: string;
  port: number;
  password?: string;
  queueDb: number;
  cacheDb: number;
  rateLimitDb: number;
  flagsDb: number;
  maxConnections: number;
  /** Prepended to every key this process writes. */
  keyPrefix: string;
}

/**
 * The one typed configuration object, built once at boot from validated variables and injected
 * everywhere as `AppConfig`. Nothing outside `src/core/config` reads `process.env`.
 */
export class AppConfig {
  readonly app: {
    name: string;
    environment: Environment;
    isProduction: boolean;
    debug: boolean;
    /** Without leading slash, as Nest's global prefix wants it: `api/v1`. */
    apiPrefix: string;
    timeZone: string;
    port: number;
    workerPort: number;
    logLevel: string;
    corsAllowedOrigins: string[];
    bodyLimitBytes: number;
    publicUrl: string;
    /**
     * Fastify's `trustProxy`: `false` (socket address is the client), a hop count, or the
     * addresses/CIDRs of trusted proxies. Decides `request.ip` (rate-limit keys, audit, logs).
     */
    trustProxy: false | number | string[];
    /** Self-service sign-up enabled (`ALLOW_SIGNUP`). */
    allowSignup: boolean;
  };
  /** Bearer token that `/metrics` requires when set. */
  readonly metrics: { token?: string };
  readonly database: {
    url: string;
    /**
     * Straight to PostgreSQL (`DATABASE_DIRECT_URL`, default `url`): only for session-bound work
     * (the domain-events LISTEN) when `url` goes through PgBouncer in transaction pooling.
     */
    directUrl: string;
    replicaUrls: string[];
    poolSize: number;
    statementTimeoutMs: number;
    logging: boolean;
  };
  readonly redis: RedisSettings;
  /**
   * 32 bytes encrypting stored secrets the server must read again (TOTP secrets; AES-256-GCM via
   * `core/secrets/sealed-secret.ts`): HKDF of `SECRETS_SEALING_KEY`, else of the JWT secret.
   */
  readonly sealing: { key: Buffer };
  readonly jwt: {
    secret: string;
    algorithm: 'HS256' | 'HS384' | 'HS512';
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
  };
  readonly pagination: { defaultSize: number; maxSize: number };
  /** How long a worker's job lock lives; a crashed worker's job is retried after it lapses. */
  readonly queue: { lockDurationMs: number };
  readonly rateLimit: { user: RateLimitRule; anonymous: RateLimitRule };
  readonly files: {
    backend: 'local' | 's3';
    localRoot: string;
    maxUploadBytes: number;
    /** Base of signed URLs served by this API (local backend). */
    publicApiUrl: string;
    s3: {
      bucket?: string;
      region?: string;
      endpoint?: string;
      /** Where clients reach the store: the host presigned URLs are signed for (default `endpoint`). */
      publicEndpoint?: string;
      forcePathStyle: boolean;
      accessKeyId?: string;
      secretAccessKey?: string;
      presignedUrlExpirySeconds: number;
    };
  };
  readonly search: {
    backend: 'postgres' | 'elasticsearch';
    elasticsearchUrl: string;
    /** Aliases are `<prefix>-products`, `<prefix>-contacts`. */
    indexPrefix: string;
  };
  readonly email: {
    backend: 'console' | 'file' | 'smtp';
    from: string;
    fileDir: string;
    smtp: { host: string; port: number; user?: string; password?: string };
  };
  /**
   * Meetings' video provider (SPEC-P3 §10): `provider` for new meetings that ask for a video room;
   * Jitsi join tokens are HS256 JWTs signed with `jitsi.appSecret` (`iss`/`aud` = `appId`, `sub` =
   * `domain`). `webhookSecret` signs provider webhooks (HMAC-SHA256); unset: every webhook is 401.
   */
  readonly video: {
    provider: 'none' | 'jitsi';
    jitsi: { domain: string; appId: string; appSecret?: string };
    webhookSecret?: string;
  };
  readonly sentry: { dsn?: string };
  /** Automation rules (src/modules/automation). */
  readonly automation: {
    /** Runs one organization may start per minute; beyond it runs are recorded `skipped` (`rate_limited`). */
    runsPerMinute: number;
  };
  /** Outbound webhooks (src/modules/webhooks) and the SSRF-safe egress (src/core/http-egress). */
  readonly webhooks: {
    /** Lower-cased host names, IPs and CIDRs exempt from the private-address refusal. */
    allowedPrivateHosts: string[];
    /** 32 bytes encrypting stored signing secrets (AES-256-GCM). */
    secretsKey: Buffer;
    retryBaseMs: number;
    retryMaxMs: number;
    retryWindowMs: number;
    timeoutMs: number;
    pollMs: number;
    autoPauseAfterFailures: number;
  };

  constructor(init: Omit<AppConfig, never>) {
    Object.assign(this, init);
  }
}

const SECONDS_PER_UNIT = { second: 1, minute: 60, hour: 3600, day: 86400 } as const;

export function parseRateLimit(value: string): RateLimitRule {
  const [limit, unit] = value.split('/') as [string, keyof typeof SECONDS_PER_UNIT];
  return { limit: Number(limit), windowSeconds: SECONDS_PER_UNIT[unit] };
}

function redisSettings(v: EnvironmentVariables): RedisSettings {
  // REDIS_URL is a shortcut for host/port/password; explicit REDIS_* variables win over it.
  const url = v.REDIS_URL ? new URL(v.REDIS_URL) : undefined;
  return {
    host: v.REDIS_HOST ?? url?.hostname ?? '127.0.0.1',
    port: v.REDIS_PORT ?? (url?.port ? Number(url.port) : 6379),
    password: v.REDIS_PASSWORD ?? (url?.password ? decodeURIComponent(url.password) : undefined),
    queueDb: v.REDIS_QUEUE_DB,
    cacheDb: v.REDIS_CACHE_DB,
    rateLimitDb: v.REDIS_RATE_LIMIT_DB,
    flagsDb: v.REDIS_FLAGS_DB,
    maxConnections: v.REDIS_MAX_CONNECTIONS,
    keyPrefix: v.REDIS_KEY_PREFIX,
  };
}

/** `TRUST_PROXY` (already validated) → Fastify's `trustProxy` option. */
export function parseTrustProxy(value: string): false | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return splitList(v);
}

const splitList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** A development-only signing key: `assertProductionSafe` refuses it outside development/test. */
export const DEVELOPMENT_JWT_SECRET = 'alees-development-only-jwt-secret-do-not-use-in-production';

export function buildAppConfig(v: EnvironmentVariables): AppConfig {
  return new AppConfig({
    app: {
      name: v.APP_NAME,
      environment: v.ENVIRONMENT,
      isProduction: v.ENVIRONMENT === Environment.Production,
      debug: v.DEBUG_MODE,
      apiPrefix: v.API_V1_PREFIX.replace(/^\/+/, ''),
      timeZone: v.TIME_ZONE,
      port: v.PORT,
      workerPort: v.WORKER_PORT,
      logLevel: v.LOG_LEVEL,
      corsAllowedOrigins: splitList(v.CORS_ALLOWED_ORIGINS),
      bodyLimitBytes: v.HTTP_BODY_LIMIT_BYTES,
      publicUrl: v.PUBLIC_APP_URL.replace(/\/+$/, ''),
      trustProxy: parseTrustProxy(v.TRUST_PROXY),
      allowSignup: v.ALLOW_SIGNUP,
    },
    metrics: { token: v.METRICS_TOKEN || undefined },
    database: {
      url: v.DATABASE_URL,
      directUrl: v.DATABASE_DIRECT_URL || v.DATABASE_URL,
      replicaUrls: splitList(v.DATABASE_REPLICA_URLS),
      poolSize: v.DATABASE_POOL_SIZE,
      statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
      logging: v.DATABASE_LOGGING,
    },
    redis: redisSettings(v),
    sealing: {
      key: Buffer.from(
        hkdfSync(
          'sha256',
          v.SECRETS_SEALING_KEY ?? v.JWT_SECRET_KEY ?? DEVELOPMENT_JWT_SECRET,
          'alees',
          'stored-secrets',
          32,
        ),
      ),
    },
    jwt: {
      secret: v.JWT_SECRET_KEY ?? DEVELOPMENT_JWT_SECRET,
      algorithm: v.JWT_ALGORITHM as 'HS256' | 'HS384' | 'HS512',
      accessTokenTtlSeconds: v.JWT_ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      refreshTokenTtlSeconds: v.JWT_REFRESH_TOKEN_EXPIRE_DAYS * 86400,
    },
    queue: { lockDurationMs: v.QUEUE_LOCK_DURATION_MS },
    pagination: {
      defaultSize: v.API_PAGINATION_DEFAULT_SIZE,
      maxSize: v.API_PAGINATION_MAX_SIZE,
    },
    rateLimit: {
      user: parseRateLimit(v.API_RATE_LIMIT_USER),
      anonymous: parseRateLimit(v.API_RATE_LIMIT_ANONYMOUS),
    },
    files: {
      backend: v.FILE_STORAGE_BACKEND,
      localRoot: v.LOCAL_MEDIA_ROOT,
      maxUploadBytes: v.FILE_MAX_UPLOAD_BYTES,
      publicApiUrl: (v.PUBLIC_API_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
      s3: {
        bucket: v.AWS_S3_BUCKET_NAME,
        region: v.AWS_S3_REGION_NAME,
        endpoint: v.AWS_S3_ENDPOINT_URL,
        publicEndpoint: v.AWS_S3_PUBLIC_ENDPOINT_URL ?? v.AWS_S3_ENDPOINT_URL,
        forcePathStyle: v.AWS_S3_FORCE_PATH_STYLE,
        accessKeyId: v.AWS_ACCESS_KEY_ID,
        secretAccessKey: v.AWS_SECRET_ACCESS_KEY,
        presignedUrlExpirySeconds: v.AWS_S3_PRESIGNED_URL_EXPIRY_SECONDS,
      },
    },
    search: {
      backend: v.SEARCH_BACKEND,
      elasticsearchUrl: v.ELASTICSEARCH_URL,
      indexPrefix: v.ELASTICSEARCH_INDEX_PREFIX,
    },
    email: {
      backend: v.EMAIL_BACKEND,
      from: v.EMAIL_FROM,
      fileDir: v.EMAIL_FILE_DIR,
      smtp: { host: v.SMTP_HOST, port: v.SMTP_PORT, user: v.SMTP_USER, password: v.SMTP_PASSWORD },
    },
    video: {
      provider: v.VIDEO_PROVIDER,
      jitsi: {
        domain: v.JITSI_DOMAIN,
        appId: v.JITSI_APP_ID,
        appSecret: v.JITSI_APP_SECRET || undefined,
      },
      webhookSecret: v.VIDEO_WEBHOOK_SECRET || undefined,
    },
    sentry: { dsn: v.SENTRY_DSN || undefined },
    automation: { runsPerMinute: v.AUTOMATION_RUNS_PER_MINUTE },
    webhooks: {
      allowedPrivateHosts: splitList(v.WEBHOOK_ALLOWED_PRIVATE_HOSTS).map((h) => h.toLowerCase()),
      // A stable key per deployment: the configured one, else one derived from the JWT secret
      // (HKDF, own label), so rotating neither silently breaks stored secrets.
      secretsKey: Buffer.from(
        hkdfSync(
          'sha256',
          v.WEBHOOK_SECRETS_KEY ?? v.JWT_SECRET_KEY ?? DEVELOPMENT_JWT_SECRET,
          'alees',
          'webhook-signing-secrets',
          32,
        ),
      ),
      retryBaseMs: v.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: v.WEBHOOK_RETRY_MAX_MS,
      retryWindowMs: v.WEBHOOK_RETRY_WINDOW_MS,
      timeoutMs: v.WEBHOOK_TIMEOUT_MS,
      pollMs: v.WEBHOOK_POLL_MS,
      autoPauseAfterFailures: v.WEBHOOK_AUTO_PAUSE_FAILURES,
    },
  });
}
