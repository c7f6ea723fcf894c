import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';

export type AwsSecretsClient = Pick<SecretsManagerClient, 'send'>;

/** Raised with the secret's *name*, never its value, so boot logs are safe to share. */
export class SecretLoadError extends Error {
  constructor(
    readonly secretId: string,
    reason: string,
  ) {
    super(`Cannot load secret "${secretId}" from AWS Secrets Manager: ${reason}`);
    this.name = 'SecretLoadError';
  }
}

/** `erp/production/jwt/jwt_secret_key` → `JWT_SECRET_KEY` (seed §2.2 naming convention). */
export function variableNameForSecret(secretId: string): string {
  const lastSegment = secretId.split('/').filter(Boolean).pop() ?? secretId;
  return lastSegment.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** A JSON object secret contributes its keys; anything else is one plaintext variable. */
export function variablesFromSecret(
  secretId: string,
  secretString: string,
): Record<string, string> {
  const trimmed = secretString.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new SecretLoadError(secretId, 'it looks like JSON but does not parse');
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(
        Object.entries(parsed as Record<string, unknown>).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : JSON.stringify(value),
        ]),
      );
    }
  }
  return { [variableNameForSecret(secretId)]: secretString };
}

/**
 * Reads every named secret; later ids override earlier ones. The caller merges the result *under*
 * the real environment, so an operator can always override a secret with a variable.
 */
export async function fetchAwsSecrets(
  secretIds: string[],
  options: { region: string; endpoint?: string; client?: AwsSecretsClient },
): Promise<Record<string, string>> {
  const clientConfig: SecretsManagerClientConfig = { region: options.region };
  if (options.endpoint) clientConfig.endpoint = options.endpoint;
  const client = options.client ?? new SecretsManagerClient(clientConfig);
  const variables: Record<string, string> = {};
  for (const secretId of secretIds) {
    let secretString: string | undefined;
    try {
      const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString =
        answer.SecretString ??
        (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('utf8') : undefined);
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new SecretLoadError(secretId, reason);
    }
    if (secretString === undefined) throw new SecretLoadError(secretId, 'it has no value');
    Object.assign(variables, variablesFromSecret(secretId, secretString));
  }
  return variables;
}
