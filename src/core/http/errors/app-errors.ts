/**
 * Typed errors that services throw. The global filter maps each to the envelope (SPEC §4):
 * `{"errors":[{"status","code","detail","source","meta"}]}`. Services never build HTTP responses.
 */
export interface ErrorSource {
  /** JSON pointer into the request body, e.g. `/address/city`. */
  pointer?: string;
  /** Query or path parameter name. */
  parameter?: string;
  header?: string;
}

export interface ErrorObject {
  status: string;
  code: string;
  detail: string;
  source?: ErrorSource;
  meta?: Record<string, unknown>;
}

export interface ErrorEnvelope {
  errors: ErrorObject[];
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: {
      source?: ErrorSource;
      meta?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  toErrorObjects(): ErrorObject[] {
    const object: ErrorObject = {
      status: String(this.status),
      code: this.code,
      detail: this.detail,
    };
    if (this.extra.source) object.source = this.extra.source;
    if (this.extra.meta) object.meta = this.extra.meta;
    return [object];
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, code = 'bad_request') {
    super(400, code, detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Authentication is required', code = 'unauthorized') {
    super(401, code, detail, { headers: { 'WWW-Authenticate': 'Bearer realm="alees"' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(
    detail = 'You do not have permission to do this',
    code = 'forbidden',
    meta?: Record<string, unknown>,
  ) {
    super(403, code, detail, { meta });
  }
}

/** Missing rows and other tenants' rows are indistinguishable: both are this. */
export class NotFoundError extends AppError {
  constructor(resource = 'Resource', code = 'not_found') {
    super(404, code, `${resource} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(
    detail: string,
    options: { code?: string; field?: string; meta?: Record<string, unknown> } = {},
  ) {
    super(409, options.code ?? 'conflict', detail, {
      source: options.field ? { pointer: `/${options.field}` } : undefined,
      meta: options.field ? { field: options.field, ...options.meta } : options.meta,
    });
  }
}

export class PreconditionFailedError extends AppError {
  constructor(detail = 'The resource was changed by someone else; reload it and retry') {
    super(412, 'precondition_failed', detail);
  }
}

/** A business rule refused the request (422), e.g. `invalid_transition`. */
export class RuleViolationError extends AppError {
  constructor(
    code: string,
    detail: string,
    options: { pointer?: string; meta?: Record<string, unknown> } = {},
  ) {
    super(422, code, detail, {
      source: options.pointer ? { pointer: options.pointer } : undefined,
      meta: options.meta,
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail = 'A dependency is unavailable; retry later', meta?: Record<string, unknown>) {
    super(503, 'service_unavailable', detail, { meta, headers: { 'Retry-After': '5' } });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', 'Too many requests; slow down', {
      meta: { retryAfterSeconds },
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export interface FieldIssue {
  /** JSON pointer for body fields (`/items/0/sku`). */
  pointer?: string;
  /** Name for query/path parameters. */
  parameter?: string;
  /** Name of a request header (lower-case). */
  header?: string;
  detail: string;
  meta?: Record<string, unknown>;
}

/**
 * 422 with one entry per field: what a form needs to show every problem at once. `code` is
 * `validation_error` for what a schema states; a module passes its own code (e.g.
 * `invalid_custom_field_definition`, `invalid_workflow`) for rules across fields that no schema
 * can state, so clients tell "fix this field" from "this combination is refused".
 */
export class ValidationFailedError extends AppError {
  constructor(
    readonly issues: FieldIssue[],
    code = 'validation_error',
  ) {
    super(422, code, issues.map((i) => i.detail).join('; '));
  }

  override toErrorObjects(): ErrorObject[] {
    return this.issues.map((issue) => {
      const object: ErrorObject = { status: '422', code: this.code, detail: issue.detail };
      if (issue.pointer !== undefined) object.source = { pointer: issue.pointer };
      else if (issue.parameter !== undefined) object.source = { parameter: issue.parameter };
      else if (issue.header !== undefined) object.source = { header: issue.header };
      if (issue.meta) object.meta = issue.meta;
      return object;
    });
  }
}

/** 405: the path exists but not for this method; `Allow` lists the methods it takes (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends AppError {
  constructor(method: string, allowed: string[]) {
    super(
      405,
      'method_not_allowed',
      `${method} is not allowed here; allowed: ${allowed.join(', ')}`,
      {
        meta: { allowed },
        headers: { Allow: allowed.join(', ') },
      },
    );
  }
}
