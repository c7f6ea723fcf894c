import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseDotenv } from 'dotenv';
import { AppConfig, buildAppConfig, DEVELOPMENT_JWT_SECRET } from './app-config';
import { Environment, EnvironmentVariables, MISSING, SECRET_KEYS } from './env.schema';
import { fetchAwsSecrets, AwsSecretsClient } from '../secrets/aws-secrets.loader';

export type RawEnvironment = Record<string, string | undefined>;

/** Boot fails with this: one message naming every missing or invalid variable (never values). */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

const WEAK_SECRETS = [DEVELOPMENT_JWT_SECRET, 'changeme', 'secret', 'your_super_secret', 'example'];

function describe(error: ValidationError): string {
  const constraints = Object.values(error.constraints ?? {});
  const reason = SECRET_KEYS.has(error.property)
    ? constraints.map((c) => c.replace(/ but actual is .*/, '')).join('; ')
    : constraints.join('; ');
  if (reason === MISSING) return `${error.property} is missing`;
  return `${error.property}: ${reason || 'invalid'}`;
}

/** Rules that depend on the environment: what production refuses. */
function productionProblems(v: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (v.ENVIRONMENT !== Environment.Production && v.ENVIRONMENT !== Environment.Staging) {
    return problems;
  }
  const secret = v.JWT_SECRET_KEY ?? '';
  if (!secret) problems.push(`JWT_SECRET_KEY: is required when ENVIRONMENT=${v.ENVIRONMENT}`);
  else if (Buffer.byteLength(secret) < 32)
    problems.push('JWT_SECRET_KEY: must be at least 32 bytes');
  else if (WEAK_SECRETS.some((weak) => secret.toLowerCase().includes(weak)))
    problems.push('JWT_SECRET_KEY: is an example/development value; generate a random one');
  if (!v.REDIS_URL && !v.REDIS_HOST)
    problems.push(`REDIS_URL: is required when ENVIRONMENT=${v.ENVIRONMENT} (or REDIS_HOST)`);
  return problems;
}

export function validateEnvironment(raw: RawEnvironment): EnvironmentVariables {
  // Empty strings mean "unset" (compose files and CI often pass VAR= for optional values).
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const vars = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(vars, { whitelist: false, forbidUnknownValues: false });
  const problems = [...errors.map(describe), ...productionProblems(vars)];
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return vars;
}

/**
 * The process environment, with `.env` merged under it in development only (seed §2.1: no `.env`
 * in staging or production; real environment variables always win).
 */
export function readProcessEnvironment(cwd = process.cwd()): RawEnvironment {
  const env: RawEnvironment = { ...process.env };
  const environment: string = env.ENVIRONMENT ?? Environment.Development;
  const dotenvPath = resolve(cwd, '.env');
  if (environment === (Environment.Development as string) && existsSync(dotenvPath)) {
    const fromFile = parseDotenv(readFileSync(dotenvPath));
    return { ...fromFile, ...env };
  }
  return env;
}

/** Synchronous load for tools that cannot reach a secrets manager (the TypeORM CLI DataSource). */
export function loadConfig(raw: RawEnvironment = readProcessEnvironment()): AppConfig {
  return buildAppConfig(validateEnvironment(raw));
}

/**
 * The boot path: environment (+ `.env` in development), then — when `SECRETS_SOURCE=aws` — the
 * secrets named in `AWS_SECRETS_IDS` merged *under* the environment, then validation.
 */
export async function loadConfigWithSecrets(
  raw: RawEnvironment = readProcessEnvironment(),
  client?: AwsSecretsClient,
): Promise<AppConfig> {
  if (raw.SECRETS_SOURCE !== 'aws') return loadConfig(raw);
  const ids = (raw.AWS_SECRETS_IDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) {
    throw new ConfigValidationError(['AWS_SECRETS_IDS: is required when SECRETS_SOURCE=aws']);
  }
  const secrets = await fetchAwsSecrets(ids, {
    region: raw.AWS_REGION ?? raw.AWS_S3_REGION_NAME ?? 'us-east-1',
    endpoint: raw.AWS_ENDPOINT_URL,
    client,
  });
  const merged: RawEnvironment = { ...secrets };
  for (const [key, value] of Object.entries(raw)) if (value !== undefined) merged[key] = value;
  return loadConfig(merged);
}
