import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasForbiddenControlChars } from '../text/control-chars';
import { FieldIssue, ValidationFailedError } from './errors';

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const DETAIL = 'must not contain control characters (U+0000-U+001F)';
const MULTILINE_DETAIL = 'must not contain control characters other than tab and line breaks';

/** A parsed JSON object — not a raw upload stream or any other object a parser may hand over. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Every string of a parsed JSON body (values and keys, at any depth), as JSON pointers. Tab, line
 * feed and carriage return are allowed: body text may span lines (descriptions, notes, chat
 * bodies); names collapse them to one space through `normalizeName`. Iterative, so a deeply
 * nested body cannot exhaust the call stack.
 */
function bodyIssues(body: unknown, issues: FieldIssue[]): void {
  const pending: [value: unknown, pointer: string][] = [[body, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, pointer] = next;
    if (typeof value === 'string') {
      if (hasForbiddenControlChars(value, { allowNewlines: true }))
        issues.push({
          pointer,
          detail: `${pointer ? `Field ${pointer}` : 'The body'} ${MULTILINE_DETAIL}`,
        });
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1)
        pending.push([value[index], `${pointer}/${index}`]);
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value).reverse()) {
        const child = `${pointer}/${escapePointer(key)}`;
        if (hasForbiddenControlChars(key, { allowNewlines: true }))
          issues.push({ pointer: child, detail: `The field name at ${child} ${MULTILINE_DETAIL}` });
        else pending.push([item, child]);
      }
    }
  }
}

/** Query-string and path parameters are single-line: every C0 control is refused. */
function parameterIssues(values: unknown, issues: FieldIssue[]): void {
  if (!values || typeof values !== 'object') return;
  for (const [name, raw] of Object.entries(values as Record<string, unknown>)) {
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (
      hasForbiddenControlChars(name) ||
      items.some((item) => typeof item === 'string' && hasForbiddenControlChars(item))
    )
      issues.push({ parameter: name, detail: `${JSON.stringify(name)} ${DETAIL}` });
  }
}

/**
 * Header values: NUL and the other C0 controls except tab (which HTTP allows). The HTTP/1.1
 * parser already refuses most of them; this covers every other way a request arrives.
 */
function headerIssues(request: FastifyRequest, issues: FieldIssue[]): void {
  for (const [name, raw] of Object.entries(request.headers)) {
    const items = Array.isArray(raw) ? raw : [raw];
    if (
      items.some(
        (item) =>
          typeof item === 'string' && hasForbiddenControlChars(item, { allowNewlines: true }),
      )
    )
      issues.push({ header: name, detail: `Header ${name} ${DETAIL}` });
  }
}

/**
 * All refused control characters of a request, named by JSON pointer (body), `parameter`
 * (query, path) or `header`; empty when the request is clean.
 */
export function controlCharIssues(request: FastifyRequest): FieldIssue[] {
  const issues: FieldIssue[] = [];
  headerIssues(request, issues);
  parameterIssues(request.params, issues);
  parameterIssues(request.query, issues);
  bodyIssues(request.body, issues);
  return issues;
}

/**
 * The one input rule for client strings (issue 14, finding 8), for every route: a request
 * carrying a refused control character answers 422 `validation_error` naming each field,
 * parameter or header, before guards, pipes or handlers run — so before any query. Runs at
 * `preValidation`, when query, path parameters and the JSON body are parsed (multipart and raw
 * uploads are streams, read by their routes).
 */
export function registerControlCharRule(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    const issues = controlCharIssues(request);
    done(issues.length > 0 ? new ValidationFailedError(issues) : undefined);
  });
}
