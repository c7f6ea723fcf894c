import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PreconditionFailedError } from './errors';
import { IF_MATCH_METADATA } from './openapi-enforcement';

/**
 * The version a write expects, from `If-Match`: a row version (`number`), `'*'` (any existing
 * row) or `undefined` (no header: the write is unconditional). See {@link parseIfMatch}.
 */
export type ExpectedVersion = number | '*' | undefined;

/** Strong ETag from a row's version: `"7"`. */
export const etagFor = (version: number): string => `"${version}"`;

/**
 * `If-Match` → the version the client last saw. `undefined` when absent (the write is
 * unconditional); `*` matches any existing row. A value no ETag of ours can equal is a 412.
 */
export function parseIfMatch(header: string | string[] | undefined): ExpectedVersion {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '') return undefined;
  if (value === '*') return '*';
  const match = /^"(\d{1,15})"$/.exec(value);
  if (!match)
    throw new PreconditionFailedError('If-Match must be an ETag from a previous GET, e.g. "3"');
  return Number(match[1]);
}

/** Throws 412 when the client's `If-Match` names a version that is no longer current. */
export function assertVersionMatches(expected: ExpectedVersion, actual: number): void {
  if (expected === undefined || expected === '*') return;
  if (expected !== actual) throw new PreconditionFailedError();
}

/** `@IfMatch() expectedVersion: ExpectedVersion` in a PATCH/PUT/DELETE handler. */
export const IfMatch = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) =>
    parseIfMatch(ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match']),
  [
    // Marks the handler so the OpenAPI document declares `If-Match` and 412 on it.
    (target, key) => {
      const handler =
        key === undefined ? undefined : (target as Record<string | symbol, unknown>)[key];
      if (handler) Reflect.defineMetadata(IF_MATCH_METADATA, true, handler);
    },
  ],
);
