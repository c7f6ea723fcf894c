import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  RuleViolationError,
  UnauthorizedError,
} from './app-errors';
import { CoreErrors } from './core.errors';
import {
  catalogueEntries,
  conflict,
  defineErrors,
  failure,
  forbidden,
  notFound,
  rule,
  unauthorized,
} from './define-errors';
import { mapError } from './error-mapper';

const Sample = defineErrors({
  invalid_thing: rule((field: string) => ({ detail: `${field} is wrong`, pointer: `/${field}` })),
  plain_rule: rule(() => 'No'),
  thing_taken: conflict(() => ({ detail: 'Taken', field: 'code', meta: { by: 'x' } })),
  no_entry: forbidden((who: string) => ({ detail: `Not ${who}`, meta: { who } })),
  bad_ticket: unauthorized(() => 'Bad ticket'),
  no_thing: notFound(() => 'Thing'),
  teapot: failure(418, () => ({ detail: 'Short and stout', source: { parameter: 'pot' } })),
});

/** What a client sees of an error: status, headers and envelope entries. */
const seen = (error: AppError) => ({
  status: error.status,
  headers: error.extra.headers,
  objects: error.toErrorObjects(),
});

describe('defineErrors', () => {
  it('builds exactly what the hand-written error would, with the key as code', () => {
    expect(seen(Sample.invalid_thing('name'))).toEqual(
      seen(new RuleViolationError('invalid_thing', 'name is wrong', { pointer: '/name' })),
    );
    expect(seen(Sample.plain_rule())).toEqual(seen(new RuleViolationError('plain_rule', 'No')));
    expect(seen(Sample.thing_taken())).toEqual(
      seen(new ConflictError('Taken', { code: 'thing_taken', field: 'code', meta: { by: 'x' } })),
    );
    expect(seen(Sample.no_entry('you'))).toEqual(
      seen(new ForbiddenError('Not you', 'no_entry', { who: 'you' })),
    );
    expect(seen(Sample.bad_ticket())).toEqual(
      seen(new UnauthorizedError('Bad ticket', 'bad_ticket')),
    );
    expect(seen(Sample.no_thing())).toEqual(seen(new NotFoundError('Thing', 'no_thing')));
    expect(seen(Sample.teapot())).toEqual(
      seen(new AppError(418, 'teapot', 'Short and stout', { source: { parameter: 'pot' } })),
    );
    expect(Sample.invalid_thing('x')).toBeInstanceOf(RuleViolationError);
    expect(Sample.bad_ticket()).toBeInstanceOf(UnauthorizedError);
  });

  it('lists its codes and statuses, and only its factories are enumerable', () => {
    expect(catalogueEntries(Sample)).toEqual([
      { code: 'invalid_thing', status: 422 },
      { code: 'plain_rule', status: 422 },
      { code: 'thing_taken', status: 409 },
      { code: 'no_entry', status: 403 },
      { code: 'bad_ticket', status: 401 },
      { code: 'no_thing', status: 404 },
      { code: 'teapot', status: 418 },
    ]);
    expect(Object.keys(Sample)).toHaveLength(7);
    expect(catalogueEntries({ invalid_thing: () => undefined })).toBeUndefined();
    expect(Object.isFrozen(Sample)).toBe(true);
  });

  it('refuses a code that is not snake_case', () => {
    expect(() => defineErrors({ 'Bad-Code': rule(() => 'x') })).toThrow(/snake_case/);
  });
});

describe('CoreErrors', () => {
  /** One call per core code, with sample arguments. */
  const samples: Record<keyof typeof CoreErrors, () => AppError> = {
    bad_request: () => CoreErrors.bad_request('Nope'),
    malformed_json: () => CoreErrors.malformed_json(),
    unauthorized: () => CoreErrors.unauthorized(),
    invalid_metrics_token: () => CoreErrors.invalid_metrics_token(),
    forbidden: () => CoreErrors.forbidden(),
    user_required: () => CoreErrors.user_required(),
    organization_required: () => CoreErrors.organization_required(),
    not_found: () => CoreErrors.not_found('Product'),
    route_not_found: () => CoreErrors.route_not_found(),
    method_not_allowed: () => CoreErrors.method_not_allowed('PUT', ['GET']),
    not_acceptable: () => CoreErrors.not_acceptable('No'),
    conflict: () => CoreErrors.conflict('Taken', { field: 'code' }),
    concurrent_update: () => CoreErrors.concurrent_update(),
    idempotency_request_in_progress: () => CoreErrors.idempotency_request_in_progress('Wait'),
    length_required: () => CoreErrors.length_required('Length'),
    precondition_failed: () => CoreErrors.precondition_failed(),
    payload_too_large: () => CoreErrors.payload_too_large('Big'),
    uri_too_long: () => CoreErrors.uri_too_long('Long'),
    unsupported_media_type: () => CoreErrors.unsupported_media_type('Type'),
    validation_error: () => CoreErrors.validation_error([{ pointer: '/a', detail: 'a is bad' }]),
    check_violation: () => CoreErrors.check_violation('Check'),
    missing_value: () => CoreErrors.missing_value('Missing'),
    invalid_value: () => CoreErrors.invalid_value('Invalid'),
    idempotency_key_reused: () => CoreErrors.idempotency_key_reused(),
    tree_cycle: () => CoreErrors.tree_cycle(),
    rate_limited: () => CoreErrors.rate_limited(3),
    internal_server_error: () => CoreErrors.internal_server_error(),
    not_implemented: () => CoreErrors.not_implemented('Later'),
    service_unavailable: () => CoreErrors.service_unavailable(),
  };

  it.each(catalogueEntries(CoreErrors)!.map((e) => [e.code, e.status]))(
    '%s builds an error with that code and status %i',
    (code, status) => {
      const error = samples[code as keyof typeof CoreErrors]();
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.toErrorObjects()[0].code).toBe(code);
    },
  );

  it('keeps the classes and defaults of the hand-written errors', () => {
    expect(seen(CoreErrors.precondition_failed())).toEqual(seen(new PreconditionFailedError()));
    expect(seen(CoreErrors.not_found('Product'))).toEqual(seen(new NotFoundError('Product')));
    expect(seen(CoreErrors.forbidden())).toEqual(seen(new ForbiddenError()));
    expect(CoreErrors.unauthorized().extra.headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="alees"',
    });
  });

  it('holds every code the error mapper answers with', () => {
    const codes = new Set(catalogueEntries(CoreErrors)!.map((e) => e.code));
    const statuses = [400, 401, 403, 404, 405, 406, 409, 411, 412, 413, 414, 415, 422, 429];
    const mapped = [
      ...statuses.map((s) => mapError(new HttpException('x', s))),
      ...[500, 501, 503].map((s) => mapError(new HttpException('x', s))),
      ...statuses.map((s) => mapError({ statusCode: s })),
      ...[
        'FST_ERR_CTP_INVALID_JSON_BODY',
        'FST_ERR_CTP_BODY_TOO_LARGE',
        'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
      ].map((code) => mapError({ code })),
      ...['23505', '23P01', '23503', '23514', '23502', '22001', '22P02', '22003', '40001', '57014']
        .map((code) => new QueryFailedError('SQL', [], Object.assign(new Error('x'), { code })))
        .map((error) => mapError(error)),
      mapError(new Error('boom')),
    ];
    const answered = mapped.flatMap((m) => m.body.errors.map((e) => e.code));
    expect(answered.filter((code) => !codes.has(code))).toEqual([]);
  });
});
