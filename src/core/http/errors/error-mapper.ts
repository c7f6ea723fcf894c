import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppError, ErrorEnvelope, ErrorObject } from './app-errors';

export interface MappedError {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** Only unexpected failures (5xx) are logged with their stack and reported to Sentry. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  411: 'length_required',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'validation_error',
  429: 'rate_limited',
  500: 'internal_server_error',
  501: 'not_implemented',
  503: 'service_unavailable',
};

const DETAIL_BY_STATUS: Record<number, string> = {
  400: 'The request could not be understood',
  404: 'Not found',
  413: 'The request body is too large',
  415: 'Unsupported content type; send application/json',
  500: 'An unexpected error occurred; it has been logged',
  503: 'A dependency is unavailable; retry later',
};

/** Fastify's own errors (body parsing, limits) arrive before Nest sees the request. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    detail: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'malformed_json',
    detail: 'The request body is empty but its content type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    detail: DETAIL_BY_STATUS[413],
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: DETAIL_BY_STATUS[415],
  },
  // @fastify/multipart (file uploads)
  FST_REQ_FILE_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    detail: 'The file is too large',
  },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large', detail: 'Send one file per request' },
  FST_PARTS_LIMIT: { status: 413, code: 'payload_too_large', detail: 'Too many multipart parts' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'Send the file as multipart/form-data',
  },
  // Routing (Fastify's `frameworkErrors`, see bootstrap.ts): before any route or Nest handler runs.
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'uri_too_long',
    detail: 'A path segment is longer than 200 characters',
  },
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'bad_request',
    detail: 'The URL is not valid (a malformed percent-encoding)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'bad_request',
    detail: 'Content-Length does not match the body',
  },
};

const camel = (column: string): string =>
  column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Splits `a, lower(b), COALESCE(c, 'x'::uuid)` at commas that are not inside parentheses or quotes. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of list) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '(') depth += 1;
    if (!quoted && char === ')') depth -= 1;
    if (!quoted && depth === 0 && char === ',') {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** The column an index expression is about: `lower(email::text)` → `email`. */
function columnOf(expression: string): string {
  const bare = expression.replace(/'[^']*'/g, '').replace(/::[a-z ]+/gi, '');
  const identifiers = [...bare.matchAll(/([a-z_][a-z0-9_]*)\s*(\()?/gi)]
    .filter((m) => !m[2])
    .map((m) => m[1]);
  return identifiers[0] ?? expression;
}

/**
 * The field a unique violation is about, from PostgreSQL's detail `Key (organization_id, lower(sku))=…`.
 * Convention for composite keys: scope columns first (tenant, type, parent), the user's field last —
 * so the last column is the one named.
 */
export function uniqueViolationField(
  detail: string | undefined,
  constraint?: string,
): string | undefined {
  const match = /Key \((.+)\)=\(/.exec(detail ?? '');
  if (match) {
    const columns = splitTopLevel(match[1]).map(columnOf);
    return camel(columns[columns.length - 1]);
  }
  // Convention fallback: uq_<table>_<column>
  const fromName = /^uq_[a-z0-9]+(?:_[a-z0-9]+)*?_([a-z0-9]+)$/.exec(constraint ?? '');
  return fromName ? camel(fromName[1]) : undefined;
}

function fromDatabase(error: { driverError: unknown }): AppError | undefined {
  const driver = error.driverError as {
    code?: string;
    detail?: string;
    constraint?: string;
    column?: string;
  };
  switch (driver.code) {
    case '23505': {
      const field = uniqueViolationField(driver.detail, driver.constraint);
      return new AppError(
        409,
        'conflict',
        field
          ? `Another record already has this ${field}`
          : 'This record conflicts with an existing one',
        {
          source: field ? { pointer: `/${field}` } : undefined,
          meta: { field, constraint: driver.constraint },
        },
      );
    }
    case '23P01':
      return new AppError(409, 'conflict', 'This record overlaps an existing one', {
        meta: { constraint: driver.constraint },
      });
    case '23503':
      return new AppError(
        409,
        'conflict',
        'A referenced record does not exist or is still in use',
        {
          meta: { constraint: driver.constraint },
        },
      );
    case '23514':
      // A CHECK constraint (or a constraint trigger raising check_violation) refused the row.
      return new AppError(422, 'check_violation', 'A value breaks a rule of this record', {
        meta: { constraint: driver.constraint },
      });
    case '23502': {
      const field = driver.column ? camel(driver.column) : undefined;
      return new AppError(422, 'missing_value', 'A required value is missing', {
        source: field ? { pointer: `/${field}` } : undefined,
        meta: { field },
      });
    }
    case '22001':
      return new AppError(422, 'invalid_value', 'A value is too long for its field');
    case '22P02':
    case '22021':
    case '22P05':
      // Text PostgreSQL cannot read as its type or store at all (a U+0000 byte, a bad encoding).
      return new AppError(422, 'invalid_value', 'A value is not valid for its field');
    case '22003':
    case '22007':
    case '22008':
      // Out-of-range number or impossible date (2026-02-30) that passed the format check.
      return new AppError(422, 'invalid_value', 'A value is out of range or not a real date');
    case '40001':
    case '40P01':
      return new AppError(
        409,
        'concurrent_update',
        'A concurrent change got in the way; retry the request',
        {
          headers: { 'Retry-After': '1' },
        },
      );
    case '57014':
      return new AppError(
        503,
        'service_unavailable',
        'The database took too long to answer; retry later',
      );
    default:
      return undefined;
  }
}

function fromHttpException(exception: HttpException): ErrorObject {
  const status = exception.getStatus();
  const response = exception.getResponse();
  let detail = typeof response === 'string' ? response : exception.message;
  if (typeof response === 'object' && response && 'message' in response) {
    const message = response.message;
    detail = Array.isArray(message) ? message.join('; ') : String(message);
  }
  if (status >= 500) detail = DETAIL_BY_STATUS[status] ?? DETAIL_BY_STATUS[500];
  return { status: String(status), code: CODE_BY_STATUS[status] ?? `http_${status}`, detail };
}

function envelope(
  status: number,
  errors: ErrorObject[],
  headers: Record<string, string> = {},
): MappedError {
  return { status, body: { errors }, headers, unexpected: status >= 500 && status !== 503 };
}

/** The single translation from "something went wrong" to an HTTP answer (never leaks internals). */
export function mapError(error: unknown): MappedError {
  if (error instanceof AppError) {
    return envelope(error.status, error.toErrorObjects(), error.extra.headers);
  }
  if (error instanceof QueryFailedError) {
    const mapped = fromDatabase(error);
    if (mapped) return envelope(mapped.status, mapped.toErrorObjects(), mapped.extra.headers);
  }
  if (error instanceof HttpException) {
    const object = fromHttpException(error);
    const mapped = envelope(error.getStatus(), [object]);
    if (error.getStatus() >= 500) mapped.unexpected = true;
    return mapped;
  }
  const fastify = error as { code?: string; statusCode?: number };
  if (typeof fastify?.code === 'string' && FASTIFY_ERRORS[fastify.code]) {
    const known = FASTIFY_ERRORS[fastify.code];
    return envelope(known.status, [
      { status: String(known.status), code: known.code, detail: known.detail },
    ]);
  }
  if (error instanceof SyntaxError && fastify.statusCode === 400) {
    return envelope(400, [
      { status: '400', code: 'malformed_json', detail: 'The request body is not valid JSON' },
    ]);
  }
  if (
    typeof fastify?.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const status = fastify.statusCode;
    return envelope(status, [
      {
        status: String(status),
        code: CODE_BY_STATUS[status] ?? `http_${status}`,
        detail: DETAIL_BY_STATUS[status] ?? 'The request was refused',
      },
    ]);
  }
  return envelope(500, [
    { status: '500', code: 'internal_server_error', detail: DETAIL_BY_STATUS[500] },
  ]);
}
