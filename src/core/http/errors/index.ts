export * from './app-errors';
export {
  catalogueEntries,
  conflict,
  custom,
  defineErrors,
  failure,
  forbidden,
  notFound,
  fieldIssues,
  rule,
  unauthorized,
} from './define-errors';
export type { ErrorCatalogue, ErrorCodeEntry, ErrorKind } from './define-errors';
export { CoreErrors } from './core.errors';
export { mapError, uniqueViolationField } from './error-mapper';
export { sendErrorReply, sendRoutingError } from './error-reply';
export { AllExceptionsFilter } from './all-exceptions.filter';
export { AppValidationPipe, toFieldIssues } from './validation';
