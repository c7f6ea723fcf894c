export * from './app-errors';
export { mapError, uniqueViolationField } from './error-mapper';
export { sendErrorReply } from './error-reply';
export { AllExceptionsFilter } from './all-exceptions.filter';
export { AppValidationPipe, toFieldIssues } from './validation';
