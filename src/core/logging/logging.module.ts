import { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Logger, pino, stdSerializers, symbols } from 'pino';
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

type RawRequest = IncomingMessage & {
  id?: string | number | object;
  /** Set by middie (Nest's middleware engine) before it strips a mount prefix. */
  originalUrl?: string;
  /** The client as Fastify resolved it (TRUST_PROXY), set by the HTTP app's onRequest hook. */
  clientIp?: string;
};

/**
 * The request as an access line (or a failed request's error line) shows it, serialised only when
 * such a line is written. pino-http binds the raw request to a child logger for every request,
 * which serialised and redacted it up front even when the line was then not written (LOG_LEVEL
 * above info): ~10 % of the API's CPU per cached read (Node 24 profile of GET /products/{id}).
 */
class LoggedRequest {
  constructor(readonly raw: RawRequest) {}
}

/** `{ method, url, userAgent, remoteAddress }` of a raw request; query tokens redacted. */
function describeRequest(req: RawRequest) {
  return {
    method: req.method,
    url: redactQueryTokens(req.originalUrl || req.url || ''),
    userAgent: req.headers['user-agent'],
    remoteAddress: req.clientIp ?? req.socket?.remoteAddress,
  };
}

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
            pinoHttp: httpLoggerOptions(config, destination ?? process.stdout),
            // Every route (the named wildcard of path-to-regexp 8; a bare `*` warns on each boot).
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          }),
        }),
      ],
    };
  }
}

/**
 * pino-http's options: `pinoOptions` around one root logger (`rootLogger`), which also writes the
 * lines logged outside requests (nestjs-pino takes a passed `logger` for those).
 */
export function httpLoggerOptions(config: AppConfig, destination: Writable) {
  return { ...pinoOptions(config), redact: undefined, logger: rootLogger(config, destination) };
}

/** Keys censored whole wherever they appear at the top level of a line (`password`). */
const TOP_LEVEL_CENSORED = new Set(REDACTED_PATHS.filter((path) => !/[.[]/.test(path)));

/**
 * The pino logger every line goes through (pino-http's per-request loggers are its children):
 * `pinoOptions` (redaction included) writing to `destination`.
 *
 * Redaction of a string, number, boolean, null or undefined value is skipped: no path can reach inside one, but
 * pino's redactor (@pinojs/redact, not strict) walks every configured path over it — 36 paths,
 * parsed again on each call, for every bound or logged primitive: the request id, the auth guard's
 * userId/orgId and each access line. Keys censored whole (`password: 'x'`) keep their censor.
 */
export function rootLogger(config: AppConfig, destination: Writable): Logger {
  const root = pino(pinoOptions(config), destination);
  const stringifiers = (root as unknown as Record<symbol, Record<string | symbol, unknown>>)[
    symbols.stringifiersSym
  ];
  const stringify = (root as unknown as Record<symbol, unknown>)[symbols.stringifySym] as (
    value: unknown,
    safe: unknown,
  ) => string;
  for (const key of [...Object.keys(stringifiers), symbols.wildcardFirstSym]) {
    const redact = stringifiers[key];
    if (typeof redact !== 'function' || (typeof key === 'string' && TOP_LEVEL_CENSORED.has(key)))
      continue;
    stringifiers[key] = (value: unknown, safe: unknown): unknown =>
      value === undefined ||
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
        ? stringify(value, safe)
        : (redact as (value: unknown, safe: unknown) => unknown)(value, safe);
  }
  return root;
}

/**
 * The options of pino-http (and of the logger outside requests): level, JSON shape, request ids,
 * redaction, the access line (`req`, `res`, `responseTime`, msg `request completed`).
 */
export function pinoOptions(config: AppConfig) {
  return {
    level: config.app.logLevel,
    base: { app: config.app.name, env: config.app.environment },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    messageKey: 'msg',
    genReqId: (req: RawRequest) => (req.id as string | undefined) ?? 'unknown',
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Our serializers see the raw values (not pino-std-serializers' copies, built eagerly).
    wrapSerializers: false,
    serializers: {
      // The raw request pino-http binds to each request's response logger is left out of its
      // bindings; the access line (below) carries the request instead.
      req: (value: unknown) =>
        value instanceof LoggedRequest
          ? describeRequest(value.raw)
          : value instanceof IncomingMessage
            ? undefined
            : value,
      res: (res: unknown) =>
        res instanceof ServerResponse
          ? { statusCode: res.headersSent ? res.statusCode : null }
          : res,
      err: stdSerializers.err,
    },
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, value: object) => ({
      req: new LoggedRequest(req),
      ...value,
    }),
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
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, error: Error, value: object) =>
      error.message.startsWith('failed with status code')
        ? { req: new LoggedRequest(req), ...value, err: undefined }
        : { req: new LoggedRequest(req), ...value },
  };
}
