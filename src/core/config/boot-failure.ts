import { ConfigValidationError } from './load-config';
import { SecretLoadError } from '../secrets/aws-secrets.loader';
import { DatabaseUnreachableError } from '../database/reachability';
import { AppError } from '../http/errors/app-errors';

/**
 * Boot failed: say why in one readable block on stderr (config problems name the variables, never
 * their values) and exit non-zero so orchestrators notice.
 */
export function exitOnBootFailure(error: unknown): never {
  if (error instanceof ConfigValidationError || error instanceof SecretLoadError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof DatabaseUnreachableError) {
    process.stderr.write(`Boot failed: ${error.message}\n`);
  } else if ((error as { code?: unknown } | null)?.code === 'EADDRINUSE') {
    // e.g. a second checkout on the same machine: PORT / WORKER_PORT choose another port.
    process.stderr.write(
      `Boot failed: ${(error as Error).message} (another process holds the port: set PORT or WORKER_PORT)\n`,
    );
  } else if (error instanceof AppError) {
    // A rule refused a CLI command (e.g. a weak password): the rule's sentence is the whole story.
    process.stderr.write(`${error.code}: ${error.detail}\n`);
  } else {
    process.stderr.write(
      `Boot failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}
