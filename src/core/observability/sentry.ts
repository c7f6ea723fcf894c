import type * as SentrySdk from '@sentry/nestjs';
import type { AppConfig } from '../config';

let sentry: typeof SentrySdk | undefined;

/**
 * Sentry only when `SENTRY_DSN` is set: no DSN, no SDK calls, no network. The SDK (with its
 * OpenTelemetry dependencies, ~580 modules) is required here, on the first init with a DSN, not
 * when this file loads: a process without a DSN never loads it. (Each e2e test file loaded it
 * with the app: 3.1 s of its 21 s of module loading on a busy 2-core machine, 2026-12-01.)
 */
export function initSentry(config: AppConfig): void {
  if (!config.sentry.dsn || sentry) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only with a DSN (above)
  const sdk = require('@sentry/nestjs') as typeof SentrySdk;
  sdk.init({
    dsn: config.sentry.dsn,
    environment: config.app.environment,
    sendDefaultPii: false,
    tracesSampleRate: 0,
  });
  sentry = sdk;
}

export function isSentryEnabled(): boolean {
  return sentry !== undefined;
}

export function reportError(
  error: unknown,
  context: { requestId?: string; userId?: string },
): void {
  if (!sentry) return;
  const sdk = sentry;
  sdk.withScope((scope) => {
    if (context.requestId) scope.setTag('request_id', context.requestId);
    if (context.userId) scope.setUser({ id: context.userId });
    sdk.captureException(error);
  });
}
