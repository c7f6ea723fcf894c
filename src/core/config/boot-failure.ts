import { ConfigValidationError } from './load-config';
import { SecretLoadError } from '../secrets/aws-secrets.loader';

/**
 * Boot failed: say why in one readable block on stderr (config problems name the variables, never
 * their values) and exit non-zero so orchestrators notice.
 */
export function exitOnBootFailure(error: unknown): never {
  if (error instanceof ConfigValidationError || error instanceof SecretLoadError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Boot failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}
