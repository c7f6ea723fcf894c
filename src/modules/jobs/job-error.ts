import type { ErrorEnvelope, ErrorObject } from '../../core/http';
import { CoreErrors, mapError } from '../../core/http';
import { Language, translateDetail } from '../../core/i18n';
import { JobsErrors } from './jobs.errors';

/** Marks a job failure reason written by `jobFailure` (anything else is never shown as is). */
const PREFIX = 'task-error:';

/**
 * The error a failed attempt leaves on its Bull job, as the API's error envelope would show it:
 * typed errors keep their code and detail, database errors get the mapper's translation
 * (`conflict`, `check_violation`, ...) and anything else is `internal_server_error` — never the
 * raw message (a PostgreSQL text, a stack). The cause itself goes to the worker's log.
 */
export function jobFailure(error: unknown): Error {
  const objects: ErrorObject[] = mapError(error).body.errors.map((object) => ({
    status: object.status,
    code: object.code,
    detail: object.detail,
    ...(object.meta ? { meta: object.meta } : {}),
  }));
  const failure = new Error(`${PREFIX}${JSON.stringify(objects)}`);
  failure.name = 'JobFailure';
  return failure;
}

const UNKNOWN: ErrorObject = CoreErrors.internal_server_error().toErrorObjects()[0];

/**
 * What `GET /tasks/{id}` shows of a job's failure reason: the envelope written by `jobFailure`
 * with each detail translated into `language`, or `internal_server_error` for a reason written
 * any other way (Bull's own stall messages, jobs failed before this rule): raw text never leaks.
 */
export function jobErrorEnvelope(
  failedReason: string | null | undefined,
  language: Language,
): ErrorEnvelope | null {
  if (!failedReason) return null;
  let objects: ErrorObject[] = [UNKNOWN];
  if (failedReason.startsWith(PREFIX)) {
    try {
      const parsed = JSON.parse(failedReason.slice(PREFIX.length)) as unknown;
      if (Array.isArray(parsed) && parsed.length > 0) objects = parsed as ErrorObject[];
    } catch {
      objects = [UNKNOWN]; // a truncated reason: still never shown raw
    }
  } else if (/job stalled more than allowable limit/i.test(failedReason)) {
    objects = JobsErrors.task_stalled().toErrorObjects();
  }
  return {
    errors: objects.map((object) => ({
      ...object,
      detail: translateDetail(object.code, object.detail, language),
    })),
  };
}
