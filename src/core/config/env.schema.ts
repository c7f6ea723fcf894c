import { Transform } from 'class-transformer';
import { isIP } from 'node:net';

/** The message of a required variable that is absent (load-config prints it as `NAME is missing`). */
export const MISSING = 'is missing';
import {
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';

/**
 * The raw environment, as variables. Names follow the seed's Settings (§2.1) so its docs stay true.
 * Every field here is documented in `.env.example`; a field without `@IsOptional` is required.
 */
export enum Environment {
  Development = 'development',
  Test = 'test',
  Staging = 'staging',
  Production = 'production',
}

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** proxy-addr's named ranges, accepted in a TRUST_PROXY list beside addresses and CIDRs. */
const NAMED_PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `TRUST_PROXY`: off (`false`, `0`, unset), a hop count (`1`..`32`) or a comma-separated list of
 * IPs, CIDRs (`10.0.0.0/8`, `fd00::/8`) and proxy-addr names (`loopback`, `linklocal`, `uniquelocal`).
 */
export function isTrustProxySetting(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const v = value.trim().toLowerCase();
  if (v === 'false' || /^\d+$/.test(v)) return v === 'false' || Number(v) <= 32;
  const entries = v.split(',').map((entry) => entry.trim());
  return entries.every((entry) => {
    if (NAMED_PROXY_RANGES.has(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  });
}

export const RATE_LIMIT_PATTERN = /^\d+\/(second|minute|hour|day)$/;

export class EnvironmentVariables {
  @IsString() @IsOptional() APP_NAME = 'Alees ERP';
  @Transform(toBoolean) @IsBoolean() @IsOptional() DEBUG_MODE = false;
  @IsEnum(Environment) @IsOptional() ENVIRONMENT: Environment = Environment.Development;
  @Matches(/^\/[a-z0-9/_-]*[a-z0-9]$/i, { message: 'API_V1_PREFIX must look like /api/v1' })
  @IsOptional()
  API_V1_PREFIX = '/api/v1';
  @IsString() @IsOptional() TIME_ZONE = 'UTC';
  // 0 = any free port (tests)
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) @IsOptional() PORT = 3000;
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) @IsOptional() WORKER_PORT = 3001;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) @IsOptional() LOG_LEVEL =
    'info';
  @Transform(toInt) @IsInt() @Min(1024) @IsOptional() HTTP_BODY_LIMIT_BYTES = 1_048_576;

  // Secrets source (seed §2.2)
  @IsIn(['env', 'aws']) @IsOptional() SECRETS_SOURCE: 'env' | 'aws' = 'env';
  @IsString() @IsOptional() AWS_SECRETS_IDS?: string;
  @IsString() @IsOptional() AWS_REGION?: string;
  @IsString() @IsOptional() AWS_ENDPOINT_URL?: string;

  // Database
  @Matches(/^postgres(ql)?:\/\//, {
    message: ({ value }) => (value === undefined ? MISSING : 'must be a postgres:// URL'),
  })
  DATABASE_URL: string;
  /**
   * A connection straight to PostgreSQL, bypassing a pooler such as PgBouncer in transaction
   * mode, for what needs a session (LISTEN). Defaults to DATABASE_URL.
   */
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  @IsOptional()
  DATABASE_DIRECT_URL?: string;
  @IsString() @IsOptional() DATABASE_REPLICA_URLS?: string;
  @Transform(toInt) @IsInt() @Min(1) @Max(500) @IsOptional() DATABASE_POOL_SIZE = 20;
  @Transform(toInt) @IsInt() @Min(0) @IsOptional() DATABASE_STATEMENT_TIMEOUT_MS = 30_000;
  @Transform(toBoolean) @IsBoolean() @IsOptional() DATABASE_LOGGING = false;

  // Redis
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  @IsOptional()
  REDIS_URL?: string;
  @IsString() @IsOptional() REDIS_HOST?: string;
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) @IsOptional() REDIS_PORT?: number;
  @IsString() @IsOptional() REDIS_PASSWORD?: string;
  @Transform(toInt) @IsInt() @Min(0) @Max(15) @IsOptional() REDIS_QUEUE_DB = 0;
  @Transform(toInt) @IsInt() @Min(0) @Max(15) @IsOptional() REDIS_CACHE_DB = 1;
  @Transform(toInt) @IsInt() @Min(0) @Max(15) @IsOptional() REDIS_RATE_LIMIT_DB = 2;
  @Transform(toInt) @IsInt() @Min(0) @Max(15) @IsOptional() REDIS_FLAGS_DB = 3;
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() REDIS_MAX_CONNECTIONS = 20;
  /** Prepended to every Redis key (tests give each file its own, so parallel runs never collide). */
  @Matches(/^[A-Za-z0-9:_-]*$/) @IsOptional() REDIS_KEY_PREFIX = '';
  /** Job lock lifetime; a job whose worker died is picked up again after it (and renewed at half). */
  @Transform(toInt) @IsInt() @Min(500) @Max(600_000) @IsOptional() QUEUE_LOCK_DURATION_MS = 30_000;

  // JWT
  @IsString() @IsOptional() JWT_SECRET_KEY?: string;
  @IsIn(['HS256', 'HS384', 'HS512']) @IsOptional() JWT_ALGORITHM = 'HS256';
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() JWT_ACCESS_TOKEN_EXPIRE_MINUTES = 15;
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() JWT_REFRESH_TOKEN_EXPIRE_DAYS = 7;

  // API behaviour
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) @IsOptional() API_PAGINATION_DEFAULT_SIZE = 20;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) @IsOptional() API_PAGINATION_MAX_SIZE = 100;
  @Matches(RATE_LIMIT_PATTERN, { message: 'API_RATE_LIMIT_USER must look like 1000/hour' })
  @IsOptional()
  API_RATE_LIMIT_USER = '1000/hour';
  @Matches(RATE_LIMIT_PATTERN, { message: 'API_RATE_LIMIT_ANONYMOUS must look like 100/hour' })
  @IsOptional()
  API_RATE_LIMIT_ANONYMOUS = '100/hour';
  @IsString() @IsOptional() CORS_ALLOWED_ORIGINS = 'http://localhost:3000';
  /** Which reverse proxies' X-Forwarded-For to believe (see `isTrustProxySetting`); off by default. */
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: isTrustProxySetting,
      defaultMessage: () =>
        'TRUST_PROXY must be false, a hop count (e.g. 1) or a comma-separated IP/CIDR list',
    },
  })
  @IsOptional()
  TRUST_PROXY = 'false';
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  @IsString() @IsOptional() METRICS_TOKEN?: string;
  /** Self-service sign-up (POST /auth/signup): off by default. */
  @Transform(toBoolean) @IsBoolean() @IsOptional() ALLOW_SIGNUP = false;

  // Files
  @IsIn(['local', 's3']) @IsOptional() FILE_STORAGE_BACKEND: 'local' | 's3' = 'local';
  @IsString() @IsOptional() LOCAL_MEDIA_ROOT = './.data/files';
  /** Largest accepted upload, in bytes (API and presigned uploads). */
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() FILE_MAX_UPLOAD_BYTES = 26_214_400;
  /** Where this API is reachable from clients (signed download/upload URLs of the local backend). */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_API_URL must be an http(s) URL' })
  @IsOptional()
  PUBLIC_API_URL?: string;
  @IsString() @IsOptional() AWS_S3_BUCKET_NAME?: string;
  @IsString() @IsOptional() AWS_S3_REGION_NAME?: string;
  @IsString() @IsOptional() AWS_S3_ENDPOINT_URL?: string;
  @Matches(/^https?:\/\//, { message: 'must be an http(s):// URL' })
  @IsOptional()
  AWS_S3_PUBLIC_ENDPOINT_URL?: string;
  @Transform(toBoolean) @IsBoolean() @IsOptional() AWS_S3_FORCE_PATH_STYLE = false;
  @IsString() @IsOptional() AWS_ACCESS_KEY_ID?: string;
  @IsString() @IsOptional() AWS_SECRET_ACCESS_KEY?: string;
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(604800)
  @IsOptional()
  AWS_S3_PRESIGNED_URL_EXPIRY_SECONDS = 3600;

  // Search, email
  @IsIn(['postgres', 'elasticsearch']) @IsOptional() SEARCH_BACKEND: 'postgres' | 'elasticsearch' =
    'postgres';
  @IsString() @IsOptional() ELASTICSEARCH_URL = 'http://127.0.0.1:9200';
  @Matches(/^[a-z0-9][a-z0-9_-]*$/) @IsOptional() ELASTICSEARCH_INDEX_PREFIX = 'alees';
  @IsIn(['console', 'file', 'smtp']) @IsOptional() EMAIL_BACKEND: 'console' | 'file' | 'smtp' =
    'console';
  @IsString() @IsOptional() EMAIL_FROM = 'Alees <no-reply@alees.local>';
  @IsString() @IsOptional() EMAIL_FILE_DIR = './.data/mail';
  @IsString() @IsOptional() SMTP_HOST = '127.0.0.1';
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) @IsOptional() SMTP_PORT = 1025;
  @IsString() @IsOptional() SMTP_USER?: string;
  @IsString() @IsOptional() SMTP_PASSWORD?: string;
  @IsString() @IsOptional() PUBLIC_APP_URL = 'http://localhost:3000';

  // Meetings: video provider (SPEC-P3 §10)
  @IsIn(['none', 'jitsi']) @IsOptional() VIDEO_PROVIDER: 'none' | 'jitsi' = 'none';
  @IsString() @IsOptional() JITSI_DOMAIN = 'meet.jitsi.local';
  @IsString() @IsOptional() JITSI_APP_ID = 'alees';
  @IsString() @IsOptional() JITSI_APP_SECRET?: string;
  @IsString() @IsOptional() VIDEO_WEBHOOK_SECRET?: string;

  // Monitoring
  @IsString() @IsOptional() SENTRY_DSN?: string;

  // Automation rules (src/modules/automation)
  /** Runs one organization may start per minute (SPEC-P3 §8 per-org rate limit); beyond: `skipped`. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) @IsOptional() AUTOMATION_RUNS_PER_MINUTE =
    1_000;

  // Outbound webhooks (src/modules/webhooks, src/core/http-egress)
  /**
   * Hosts and CIDRs outbound webhooks may reach although they are private (tests, on-premise):
   * comma-separated, e.g. `127.0.0.1,10.0.0.0/8,hooks.internal`. Empty by default: none.
   */
  @ValidateBy({
    name: 'isAllowedHostList',
    validator: {
      validate: isAllowedHostList,
      defaultMessage: () =>
        'WEBHOOK_ALLOWED_PRIVATE_HOSTS must be a comma-separated list of host names, IPs and CIDRs',
    },
  })
  @IsOptional()
  WEBHOOK_ALLOWED_PRIVATE_HOSTS = '';
  /** Key that encrypts stored webhook signing secrets (AES-256-GCM); default: derived from JWT_SECRET_KEY. */
  @IsString() @IsOptional() WEBHOOK_SECRETS_KEY?: string;
  /** Key that encrypts other stored secrets the server reads again (TOTP secrets); default: derived from JWT_SECRET_KEY. */
  @IsString() @IsOptional() SECRETS_SEALING_KEY?: string;
  /** First retry delay of a failed delivery; doubles per attempt (jittered) up to WEBHOOK_RETRY_MAX_MS. */
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() WEBHOOK_RETRY_BASE_MS = 30_000;
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() WEBHOOK_RETRY_MAX_MS = 3_600_000;
  /** A delivery is retried until this long after its first attempt, then failed. */
  @Transform(toInt) @IsInt() @Min(1) @IsOptional() WEBHOOK_RETRY_WINDOW_MS = 86_400_000;
  /** Total time of one outbound request (DNS, connect, response), in ms. */
  @Transform(toInt) @IsInt() @Min(100) @Max(60_000) @IsOptional() WEBHOOK_TIMEOUT_MS = 10_000;
  /** How often the worker's dispatcher looks for due deliveries (it is also woken on new ones). */
  @Transform(toInt) @IsInt() @Min(50) @Max(60_000) @IsOptional() WEBHOOK_POLL_MS = 1_000;
  /** A subscription is paused after this many failed deliveries in a row. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000) @IsOptional() WEBHOOK_AUTO_PAUSE_FAILURES = 20;
}

/** `WEBHOOK_ALLOWED_PRIVATE_HOSTS`: empty, or comma-separated host names, IPs and CIDRs. */
export function isAllowedHostList(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.every((entry) => {
    const [address, prefix, ...rest] = entry.split('/');
    if (rest.length > 0) return false;
    const family = isIP(address);
    if (prefix !== undefined) {
      return (
        family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
      );
    }
    return family !== 0 || /^[a-z0-9]([a-z0-9.-]{0,252})$/i.test(address);
  });
}

/** Keys whose values are secrets: never logged, never echoed in a config error. */
export const SECRET_KEYS = new Set([
  'DATABASE_URL',
  'DATABASE_DIRECT_URL',
  'DATABASE_REPLICA_URLS',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'JWT_SECRET_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'SMTP_PASSWORD',
  'SENTRY_DSN',
  'METRICS_TOKEN',
  'JITSI_APP_SECRET',
  'VIDEO_WEBHOOK_SECRET',
  'WEBHOOK_SECRETS_KEY',
  'SECRETS_SEALING_KEY',
]);
