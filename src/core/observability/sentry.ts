import * as Sentry from '@sentry/nestjs';
import type { AppConfig } from '../config';

let enabled = false;

/** Sentry only when `SENTRY_DSN` is set: no DSN, no SDK calls, no network. */
export function initSentry(config: AppConfig): void {
  if (!config.sentry.dsn || enabled) return;
  Sentry.init({
    dsn: config.sentry.dsn,
    environment: config.app.environment,
    sendDefaultPii: false,
    tracesSampleRate: 0,
  });
  enabled = true;
}

export function isSentryEnabled(): boolean {
  return enabled;
}

export function reportError(
  error: unknown,
  context: { requestId?: string; userId?: string },
): void {
  if (!enabled) return;
  Sentry.withScope((scope) => {
    if (context.requestId) scope.setTag('request_id', context.requestId);
    if (context.userId) scope.setUser({ id: context.userId });
    Sentry.captureException(error);
  });
}
