import { AppError } from '../http/errors';

/**
 * 422 `invalid_filter`: `?filter=` (or a filter given to a workflow/automation condition) is not
 * valid JSON, not of the grammar, names a field the list does not allow, uses an operator the
 * field's type has no meaning for, or carries a bad value. `source.parameter` is `filter`;
 * `meta.path` locates the node, e.g. `and[1].or[0].value` (empty for the document itself).
 */
export class InvalidFilterError extends AppError {
  constructor(
    readonly path: string,
    detail: string,
    parameter = 'filter',
  ) {
    super(422, 'invalid_filter', detail, { source: { parameter }, meta: { path } });
  }
}

/**
 * 422 `stale_filter`: a saved filter (view) names a field or value the list no longer allows
 * (e.g. a custom field was deleted). `source.parameter` is `savedFilterId`, `meta.path` as above.
 */
export class StaleFilterError extends AppError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(422, 'stale_filter', detail, {
      source: { parameter: 'savedFilterId' },
      meta: { path },
    });
  }
}
