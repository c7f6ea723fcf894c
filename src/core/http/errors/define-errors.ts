import {
  AppError,
  ConflictError,
  ErrorSource,
  FieldIssue,
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  UnauthorizedError,
  ValidationFailedError,
} from './app-errors';

/**
 * One kind of error before it has a code: its HTTP status, and how to build the error once
 * `defineErrors` hands it the key it is declared under (so the code string is written once).
 * `A` is the factory's parameter list, `E` the class it builds.
 */
export interface ErrorKind<A extends unknown[], E extends AppError = AppError> {
  readonly status: number;
  readonly build: (code: string) => (...args: A) => E;
}

/** The factories of a catalogue: one per code, typed by the kind it was declared with. */
export type ErrorCatalogue<D extends Record<string, ErrorKind<never, AppError>>> = {
  readonly [K in keyof D]: D[K] extends ErrorKind<infer A, infer E> ? (...args: A) => E : never;
};

/** One entry of a catalogue as a test or a document lists it. */
export interface ErrorCodeEntry {
  code: string;
  status: number;
}

const ENTRIES = Symbol('errorCatalogueEntries');

/**
 * Declares a module's closed set of error codes: each key is the code, each value a kind built
 * with `rule`, `conflict`, `forbidden`, `unauthorized`, `notFound` or `failure`. Returns an
 * object with one typed factory per code (`ProductsErrors.invalid_uom()`), which builds the same
 * `AppError` subclass, detail, source and meta as writing the `new ...Error(...)` by hand;
 * translation of details stays keyed by code (src/core/i18n). `catalogueEntries` lists the codes.
 *
 * Convention: a module keeps its catalogue in `<module>.errors.ts` and documents every code in
 * its README's "Error codes" table (checked by src/modules/error-catalogues.spec.ts).
 */
export function defineErrors<D extends Record<string, ErrorKind<never, AppError>>>(
  definitions: D,
): ErrorCatalogue<D> {
  const catalogue: Record<string, unknown> = {};
  const entries: ErrorCodeEntry[] = [];
  for (const [code, kind] of Object.entries(definitions)) {
    if (!/^[a-z][a-z0-9_]*$/.test(code)) throw new Error(`Error code "${code}" is not snake_case`);
    catalogue[code] = kind.build(code);
    entries.push({ code, status: kind.status });
  }
  Object.defineProperty(catalogue, ENTRIES, { value: Object.freeze(entries), enumerable: false });
  return Object.freeze(catalogue) as ErrorCatalogue<D>;
}

/** The codes and statuses of a catalogue made by `defineErrors`; undefined for anything else. */
export function catalogueEntries(value: unknown): readonly ErrorCodeEntry[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [ENTRIES]?: readonly ErrorCodeEntry[] })[ENTRIES];
}

/** What a kind's describe function returns: the English detail alone, or with its details. */
type Described<T extends object> = string | ({ detail: string } & T);

const parts = <T extends object>(described: Described<T>): { detail: string } & Partial<T> =>
  typeof described === 'string'
    ? ({ detail: described } as { detail: string } & Partial<T>)
    : described;

type Meta = Record<string, unknown>;

/** 422 `RuleViolationError`: a business rule refused the request; `pointer` names the field. */
export function rule<A extends unknown[]>(
  describe: (...args: A) => Described<{ pointer?: string; meta?: Meta }>,
): ErrorKind<A, RuleViolationError> {
  return {
    status: 422,
    build:
      (code) =>
      (...args) => {
        const { detail, pointer, meta } = parts(describe(...args));
        return new RuleViolationError(code, detail, { pointer, meta });
      },
  };
}

/**
 * 422 `ValidationFailedError` under the catalogue's code, one error object per issue (each with its
 * pointer): rules across the fields of a body that no schema states (a custom field definition's
 * options only for select types, a workflow graph with two initial states).
 */
export function fieldIssues(): ErrorKind<[issues: FieldIssue[]], ValidationFailedError> {
  return {
    status: 422,
    build: (code) => (issues) => new ValidationFailedError(issues, code),
  };
}

/** 409 `ConflictError`; `field` becomes `source.pointer` `/<field>` and `meta.field`. */
export function conflict<A extends unknown[]>(
  describe: (...args: A) => Described<{ field?: string; meta?: Meta }>,
): ErrorKind<A, ConflictError> {
  return {
    status: 409,
    build:
      (code) =>
      (...args) => {
        const { detail, field, meta } = parts(describe(...args));
        return new ConflictError(detail, { code, field, meta });
      },
  };
}

/** 403 `ForbiddenError`. */
export function forbidden<A extends unknown[]>(
  describe: (...args: A) => Described<{ meta?: Meta }>,
): ErrorKind<A, ForbiddenError> {
  return {
    status: 403,
    build:
      (code) =>
      (...args) => {
        const { detail, meta } = parts(describe(...args));
        return new ForbiddenError(detail, code, meta);
      },
  };
}

/** 401 `UnauthorizedError` (with its `WWW-Authenticate` header). */
export function unauthorized<A extends unknown[]>(
  describe: (...args: A) => string,
): ErrorKind<A, UnauthorizedError> {
  return {
    status: 401,
    build:
      (code) =>
      (...args) =>
        new UnauthorizedError(describe(...args), code),
  };
}

/** 404 `NotFoundError`; `describe` names the resource, the detail is `<resource> not found`. */
export function notFound<A extends unknown[]>(
  describe: (...args: A) => string,
): ErrorKind<A, NotFoundError> {
  return {
    status: 404,
    build:
      (code) =>
      (...args) =>
        new NotFoundError(describe(...args), code),
  };
}

/** Any other status as a plain `AppError` (e.g. 415 `unsupported_file_type`). */
export function failure<A extends unknown[]>(
  status: number,
  describe: (...args: A) => Described<{
    source?: ErrorSource;
    meta?: Meta;
    headers?: Record<string, string>;
  }>,
): ErrorKind<A> {
  return {
    status,
    build:
      (code) =>
      (...args) => {
        const { detail, source, meta, headers } = parts(describe(...args));
        const extra: ConstructorParameters<typeof AppError>[3] = {};
        if (source) extra.source = source;
        if (meta) extra.meta = meta;
        if (headers) extra.headers = headers;
        return new AppError(status, code, detail, extra);
      },
  };
}

/**
 * A kind built by a class whose code is fixed (`PreconditionFailedError`, `RateLimitedError`...):
 * `make` gets the code to pass on where the class takes one. Core's catalogue uses it.
 */
export function custom<A extends unknown[], E extends AppError>(
  status: number,
  make: (code: string, ...args: A) => E,
): ErrorKind<A, E> {
  return {
    status,
    build:
      (code) =>
      (...args) =>
        make(code, ...args),
  };
}
