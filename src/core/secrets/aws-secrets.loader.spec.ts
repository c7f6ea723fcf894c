import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfigWithSecrets, ConfigValidationError } from '../config';
import {
  fetchAwsSecrets,
  SecretLoadError,
  variableNameForSecret,
  variablesFromSecret,
} from './aws-secrets.loader';

const STRONG = 'k'.repeat(24) + 'Zx9!Qw7#Lm4$Rt2%';

describe('AWS Secrets Manager loader', () => {
  const secrets = mockClient(SecretsManagerClient);
  const client = new SecretsManagerClient({ region: 'eu-west-1' });

  beforeEach(() => secrets.reset());

  it('names a plaintext secret by its last path segment, upper-cased', () => {
    expect(variableNameForSecret('erp/production/jwt/jwt_secret_key')).toBe('JWT_SECRET_KEY');
    expect(variableNameForSecret('erp/staging/redis/password')).toBe('PASSWORD');
    expect(variablesFromSecret('erp/prod/jwt/jwt_secret_key', 'abc')).toEqual({
      JWT_SECRET_KEY: 'abc',
    });
  });

  it('a JSON secret contributes its keys (non-strings stringified)', () => {
    expect(
      variablesFromSecret('erp/prod/db', '{"DATABASE_URL":"postgres://x","DATABASE_POOL_SIZE":30}'),
    ).toEqual({
      DATABASE_URL: 'postgres://x',
      DATABASE_POOL_SIZE: '30',
    });
    expect(() => variablesFromSecret('erp/prod/db', '{not json')).toThrow(SecretLoadError);
  });

  it('reads every id in order; later ids override earlier ones; binary secrets work', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'a' })
      .resolves({ SecretString: '{"X":"from-a","Y":"from-a"}' })
      .on(GetSecretValueCommand, { SecretId: 'b' })
      .resolves({ SecretBinary: Buffer.from('{"Y":"from-b"}') });
    await expect(fetchAwsSecrets(['a', 'b'], { region: 'eu-west-1', client })).resolves.toEqual({
      X: 'from-a',
      Y: 'from-b',
    });
  });

  it('a secret that cannot be read fails boot naming the secret, never a value', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(
        Object.assign(new Error('denied: value=hunter2'), { name: 'AccessDeniedException' }),
      );
    const error = await fetchAwsSecrets(['erp/prod/jwt/jwt_secret_key'], {
      region: 'eu-west-1',
      client,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretLoadError);
    expect((error as Error).message).toContain('erp/prod/jwt/jwt_secret_key');
    expect((error as Error).message).toContain('AccessDeniedException');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('SECRETS_SOURCE=aws merges secrets under the environment (env wins), then validates', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'erp/production/postgresql/app' })
      .resolves({
        SecretString: JSON.stringify({
          DATABASE_URL: 'postgres://secret@db/alees',
          REDIS_URL: 'redis://from-secret:6379',
        }),
      })
      .on(GetSecretValueCommand, { SecretId: 'erp/production/jwt/jwt_secret_key' })
      .resolves({ SecretString: STRONG });
    const config = await loadConfigWithSecrets(
      {
        ENVIRONMENT: 'production',
        SECRETS_SOURCE: 'aws',
        AWS_SECRETS_IDS: 'erp/production/postgresql/app, erp/production/jwt/jwt_secret_key',
        REDIS_URL: 'redis://from-env:6380',
      },
      client,
    );
    expect(config.database.url).toBe('postgres://secret@db/alees');
    expect(config.jwt.secret).toBe(STRONG);
    expect(config.redis).toMatchObject({ host: 'from-env', port: 6380 });
  });

  it('SECRETS_SOURCE=aws without AWS_SECRETS_IDS is a configuration error', async () => {
    await expect(
      loadConfigWithSecrets({ SECRETS_SOURCE: 'aws', DATABASE_URL: 'postgres://x' }, client),
    ).rejects.toThrow(ConfigValidationError);
  });
});
