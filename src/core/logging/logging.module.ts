import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config';

/** Anything that can carry a credential, wherever it appears in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...[
    'password',
    'newPassword',
    'currentPassword',
    'token',
    'accessToken',
    'refreshToken',
    'secret',
    'apiKey',
    'authorization',
    'cookie',
    'totpCode',
    'recoveryCode',
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/**
 * `url` with the value of every `token` query parameter replaced (signed download links, calendar
 * feed URLs: the token is the credential). `/me/calendar.ics?token=abc` → `…?token=[redacted]`.
 * The token of a public share link travels in the path: `/shared/<token>` → `/shared/[redacted]`.
 */
export function redactQueryTokens(url: string): string {
  return url
    .replace(/(\/shared\/)[^/?#]+/gi, '$1[redacted]')
    .replace(/([?&](?:token|jwt)=)[^&#]*/gi, '$1[redacted]');
}

type RawRequest = IncomingMessage & { id?: string | number | object };

/** Paths machines poll constantly; a successful hit is logged at debug, not info. */
const PROBE_PATHS = new Set(['/healthz/live', '/healthz/ready', '/metrics']);

/** `/metrics?x` → `/metrics`; whether the request is a probe or a scrape. */
export const isProbe = (url: string | undefined): boolean =>
  PROBE_PATHS.has((url ?? '').split('?')[0].replace(/\/+$/, '') || '/');

/**
 * JSON lines through pino. Every line logged while serving a request carries `requestId` (and the
 * identity module adds `userId`/`orgId`); one access line per request; secrets redacted.
 */
@Module({})
export class LoggingModule {
  /** `destination` defaults to stdout; tests pass a stream to read what was logged. */
  static forRoot(destination?: Writable): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: [pinoOptions(config), destination ?? process.stdout],
            // Every route (the named wildcard of path-to-regexp 8; a bare `*` warns on each boot).
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          }),
        }),
      ],
    };
  }
}

function pinoOptions(config: AppConfig) {
  return {
    level: config.app.logLevel,
    base: { app: config.app.name, env: config.app.environment },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    messageKey: 'msg',
    genReqId: (req: RawRequest) => (req.id as string | undefined) ?? 'unknown',
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: {
        method: string;
        url: string;
        headers: Record<string, unknown>;
        remoteAddress?: string;
        raw?: { clientIp?: string };
      }) => ({
        method: req.method,
        url: redactQueryTokens(req.url),
        userAgent: req.headers['user-agent'],
        // The client as Fastify resolved it (TRUST_PROXY), set by the HTTP app's onRequest hook.
        remoteAddress: req.raw?.clientIp ?? req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500
        ? 'error'
        : res.statusCode >= 400
          ? 'warn'
          : // Probes and scrapes arrive every few seconds: a healthy one is not worth an info line.
            isProbe(req.url)
            ? 'debug'
            : 'info',
    // pino-http invents an Error for every 5xx without one; the status already says it.
    customErrorObject: (
      _req: IncomingMessage,
      _res: ServerResponse,
      error: Error,
      value: object,
    ) =>
      error.message.startsWith('failed with status code') ? { ...value, err: undefined } : value,
  };
}
