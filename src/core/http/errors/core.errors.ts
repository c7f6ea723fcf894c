import {
  BadRequestError,
  ConflictError,
  FieldIssue,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  PreconditionFailedError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationFailedError,
} from './app-errors';
import {
  conflict,
  custom,
  defineErrors,
  failure,
  forbidden,
  rule,
  unauthorized,
} from './define-errors';

type Meta = Record<string, unknown>;

/**
 * The codes core answers with, whichever module is serving (SPEC §4): the status-named codes the
 * error mapper gives HTTP and database failures (error-mapper.ts), and core's own rules
 * (idempotency, trees, the active organization, the metrics token). Documented in this folder's
 * README; modules declare their own codes in `<module>.errors.ts`.
 */
export const CoreErrors = defineErrors({
  bad_request: custom(400, (code, detail: string) => new BadRequestError(detail, code)),
  malformed_json: custom(
    400,
    (code, detail = 'The request body is not valid JSON') => new BadRequestError(detail, code),
  ),
  unauthorized: custom(401, (code, detail?: string) => new UnauthorizedError(detail, code)),
  invalid_metrics_token: unauthorized(() => 'A valid metrics token is required'),
  forbidden: custom(
    403,
    (code, detail?: string, meta?: Meta) =>
      new ForbiddenError(detail ?? 'You do not have permission to do this', code, meta),
  ),
  user_required: forbidden(() => 'This route acts for a signed-in person; API keys cannot call it'),
  organization_required: forbidden(() => 'Choose an organization (X-Organization-Id) first'),
  not_found: custom(404, (code, resource?: string) => new NotFoundError(resource, code)),
  route_not_found: custom(404, (code) => new NotFoundError('Route', code)),
  method_not_allowed: custom(
    405,
    (_code, method: string, allowed: string[]) => new MethodNotAllowedError(method, allowed),
  ),
  not_acceptable: failure(406, (detail: string) => detail),
  conflict: custom(
    409,
    (code, detail: string, options: { field?: string; meta?: Meta } = {}) =>
      new ConflictError(detail, { ...options, code }),
  ),
  concurrent_update: failure(409, () => ({
    detail: 'A concurrent change got in the way; retry the request',
    headers: { 'Retry-After': '1' },
  })),
  idempotency_request_in_progress: conflict((detail: string) => detail),
  length_required: failure(411, (detail: string) => detail),
  precondition_failed: custom(412, (_code, detail?: string) => new PreconditionFailedError(detail)),
  payload_too_large: failure(413, (detail: string, meta?: Meta) => ({ detail, meta })),
  uri_too_long: failure(414, (detail: string) => detail),
  unsupported_media_type: failure(415, (detail: string) => detail),
  validation_error: custom(422, (_code, issues: FieldIssue[]) => new ValidationFailedError(issues)),
  check_violation: failure(422, (detail: string, meta?: Meta) => ({ detail, meta })),
  missing_value: failure(422, (detail: string, meta?: Meta) => ({ detail, meta })),
  invalid_value: failure(422, (detail: string) => detail),
  idempotency_key_reused: rule(
    () => 'This Idempotency-Key was already used with a different request body',
  ),
  tree_cycle: rule(() => ({
    detail: 'Cannot move a node under itself or a descendant',
    pointer: '/parentId',
  })),
  rate_limited: custom(
    429,
    (_code, retryAfterSeconds: number) => new RateLimitedError(retryAfterSeconds),
  ),
  internal_server_error: failure(500, () => 'An unexpected error occurred; it has been logged'),
  not_implemented: failure(501, (detail: string) => detail),
  service_unavailable: custom(
    503,
    (_code, detail?: string, meta?: Meta) => new ServiceUnavailableError(detail, meta),
  ),
});
