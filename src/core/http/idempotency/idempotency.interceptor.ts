import { createHash } from 'node:crypto';
import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  NestInterceptor,
  SetMetadata,
  applyDecorators,
} from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, Observable, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { CoreErrors, ValidationFailedError } from '../errors';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** Set by {@link IssuesSecret}: `true` (ignore the key) or the answer's fields stored as null. */
export const ISSUES_SECRET_METADATA = 'alees:issues-secret';

/**
 * A POST whose answer carries a secret shown once must never put that secret in
 * `idempotency_keys` (plain JSON, kept 24 h). Two ways, stated in the OpenAPI document as
 * `x-issues-secret`:
 * - `@IssuesSecret('key')` (routes that create something: an API key, a webhook subscription, a
 *   share link): the answer is stored and replayed with those top-level fields set to null, so a
 *   retry creates nothing twice, and a client that lost the first answer learns the resource
 *   exists but must rotate or revoke it to get a secret;
 * - `@IssuesSecret()` (routes whose every call should issue a fresh secret: sign-in, token
 *   refresh, a join token): `Idempotency-Key` is ignored and each call runs.
 * `secret-answers.spec.ts` (beside this file) fails for a POST whose answer has a secret-named
 * property and no marker.
 */
export const IssuesSecret = (...fields: string[]): MethodDecorator =>
  applyDecorators(
    SetMetadata(ISSUES_SECRET_METADATA, fields.length ? fields : true),
    ApiExtension('x-issues-secret', fields.length ? fields : true),
  );

/** `body` with `fields` set to null (a copy; anything but a plain object is kept as it is). */
function withoutSecrets(body: unknown, fields: readonly string[]): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const field of fields) if (field in copy) copy[field] = null;
  return copy;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Response headers worth replaying (the rest are per-request). */
const REPLAYED_HEADERS = ['location', 'etag', 'content-location'];

/** Sorted-key JSON, so `{a,b}` and `{b,a}` hash the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Who is asking: the authenticated principal, else the client address. */
function callerScope(request: FastifyRequest): string {
  const principal = (request as { principal?: { scopeKey?: string } }).principal;
  return principal?.scopeKey ?? `ip:${request.ip}`;
}

/**
 * `Idempotency-Key` on any POST: the first response is stored for 24 h and replayed for a retry
 * with the same key and body; the same key with another body is a 422; a retry while the first is
 * still running is a 409. Failed first attempts release the key, so a retry really runs.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly repository: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    const secret = Reflect.getMetadata(ISSUES_SECRET_METADATA, context.getHandler()) as
      true | string[] | undefined;
    if (secret === true) return next.handle();

    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationFailedError([
        {
          parameter: 'Idempotency-Key',
          detail: 'Idempotency-Key must be 1-255 printable ASCII characters',
        },
      ]);
    }
    const reply = http.getResponse<FastifyReply>();
    const scope = `${callerScope(request)} ${request.routeOptions.url ?? request.url}`;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`)
      .digest('hex');
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      HttpStatus.CREATED;

    return from(this.repository.claim(scope, key, requestHash, IDEMPOTENCY_TTL_SECONDS)).pipe(
      mergeMap((claimed) => {
        if (claimed) return this.runFirst(scope, key, status, reply, next, secret ?? []);
        return from(this.replay(scope, key, requestHash, reply));
      }),
    );
  }

  private runFirst(
    scope: string,
    key: string,
    status: number,
    reply: FastifyReply,
    next: CallHandler,
    secretFields: readonly string[],
  ): Observable<unknown> {
    return next.handle().pipe(
      mergeMap((body: unknown) => {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        const stored = withoutSecrets(body, secretFields);
        return from(this.repository.complete(scope, key, { status, body: stored, headers })).pipe(
          mergeMap(() => of(body)),
        );
      }),
      catchError((error: unknown) =>
        from(this.repository.release(scope, key)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }

  private async replay(
    scope: string,
    key: string,
    requestHash: string,
    reply: FastifyReply,
  ): Promise<unknown> {
    const stored = await this.repository.find(scope, key);
    if (!stored) {
      // Released between our claim attempt and this read: the first attempt failed; ask to retry.
      throw CoreErrors.idempotency_request_in_progress(
        'A request with this Idempotency-Key just failed; retry',
      );
    }
    if (stored.requestHash !== requestHash) {
      throw CoreErrors.idempotency_key_reused();
    }
    if (stored.state === 'pending') {
      throw CoreErrors.idempotency_request_in_progress(
        'A request with this Idempotency-Key is still being processed',
      );
    }
    void reply.headers({ ...(stored.responseHeaders ?? {}), 'idempotent-replayed': 'true' });
    return stored.responseBody;
  }
}
