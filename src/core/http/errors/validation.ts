import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldIssue, ValidationFailedError } from './app-errors';

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** Flattens class-validator's tree into one issue per field, with a JSON pointer to it. */
export function toFieldIssues(errors: ValidationError[], parent = ''): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const error of errors) {
    const pointer = `${parent}/${escapePointer(error.property)}`;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) {
      const rules = Object.keys(error.constraints ?? {});
      const detail = rules.includes('whitelistValidation')
        ? `${error.property} is not an accepted field`
        : messages.join('; ');
      issues.push({ pointer, detail, meta: { rules } });
    }
    if (error.children?.length) issues.push(...toFieldIssues(error.children, pointer));
  }
  return issues;
}

/**
 * The global ValidationPipe (whitelist, forbidNonWhitelisted, transform) answering 422 with one
 * entry per field. Query and path DTOs report `source.parameter` instead of a body pointer.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailedError(toFieldIssues(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      metadata.metatype &&
      !this.isPrimitiveType(metadata) &&
      (value === undefined || value === null)
    ) {
      // A JSON route called without a body: validate it as an empty object so required fields are named.
      value = {};
    }
    if (metadata.type === 'query' && value && typeof value === 'object' && 'lang' in value) {
      // `?lang=` picks the response language on every route (i18n), not a filter of this one.
      const { lang: _lang, ...rest } = value as Record<string, unknown>;
      value = rest;
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationFailedError && metadata.type !== 'body') {
        throw new ValidationFailedError(
          error.issues.map((issue) => ({
            parameter: issue.pointer?.replace(/^\//, '').replace(/\//g, '.'),
            detail: issue.detail,
            meta: issue.meta,
          })),
        );
      }
      throw error;
    }
  }

  private isPrimitiveType(metadata: ArgumentMetadata): boolean {
    return [String, Boolean, Number, Array, Object].includes(metadata.metatype as never);
  }
}
