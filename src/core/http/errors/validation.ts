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

/** Metadata keys `@ApiProperty()` writes (`DECORATORS` of @nestjs/swagger, not exported). */
const DECORATORS = {
  API_MODEL_PROPERTIES: 'swagger/apiModelProperties',
  API_MODEL_PROPERTIES_ARRAY: 'swagger/apiModelPropertiesArray',
} as const;

interface SwaggerProperty {
  nullable?: boolean;
  isArray?: boolean;
  type?: unknown;
}

/** A DTO class's properties as its Swagger decorators document them (name → metadata). */
function documentedProperties(metatype: unknown): Map<string, SwaggerProperty> | undefined {
  if (typeof metatype !== 'function' || !metatype.prototype) return undefined;
  const prototype = metatype.prototype as object;
  const names = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, prototype) as
    string[] | undefined;
  if (!names?.length) return undefined;
  const properties = new Map<string, SwaggerProperty>();
  for (const name of names.map((n) => n.replace(/^:/, ''))) {
    properties.set(
      name,
      (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, name) ??
        {}) as SwaggerProperty,
    );
  }
  return properties;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A nested DTO class named by a property's `type` (a class, or a thunk returning one). */
function nestedClass(type: unknown): unknown {
  if (typeof type !== 'function') return undefined;
  if (documentedProperties(type)) return type;
  // `type: () => AddressDto` (lazy form); builtins (String, Number...) are not DTOs.
  if ([String, Number, Boolean, Object, Array, Date].includes(type as never)) return undefined;
  try {
    const resolved: unknown = (type as () => unknown)();
    return documentedProperties(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `null` sent for a property the API document does not mark `nullable` → one issue at that
 * property (nested DTOs and arrays of them included). class-validator's `@IsOptional()` skips
 * null as well as undefined, so without this a PATCH `{"isActive": null}` was silently "omitted";
 * the document is the rule: nullable properties clear with null, the others refuse it.
 */
export function nullIssues(metatype: unknown, value: unknown, parent = ''): FieldIssue[] {
  const properties = documentedProperties(metatype);
  if (!properties || !isPlainObject(value)) return [];
  const issues: FieldIssue[] = [];
  for (const [name, property] of properties) {
    if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
    const pointer = `${parent}/${escapePointer(name)}`;
    const field = value[name];
    if (field === null) {
      if (!property.nullable) {
        issues.push({
          pointer,
          detail: `${name} must not be null (omit it to leave it unchanged)`,
          meta: { rules: ['notNull'] },
        });
      }
      continue;
    }
    const nested = nestedClass(property.type);
    if (!nested) continue;
    if (Array.isArray(field)) {
      field.forEach((item, index) =>
        issues.push(...nullIssues(nested, item, `${pointer}/${index}`)),
      );
    } else issues.push(...nullIssues(nested, field, pointer));
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
    let issues: FieldIssue[] = [];
    if (metadata.type === 'body' && metadata.metatype && !this.isPrimitiveType(metadata)) {
      if (value === undefined) {
        // A JSON route called without a body: validate it as an empty object so required fields are named.
        value = {};
      } else if (!isPlainObject(value)) {
        // `null`, an array, a string or a number where the route takes a JSON object.
        throw new ValidationFailedError([
          {
            pointer: '',
            detail: 'the request body must be a JSON object',
            meta: { rules: ['isObject'] },
          },
        ]);
      }
      issues = nullIssues(metadata.metatype, value);
    }
    if (metadata.type === 'query' && value && typeof value === 'object' && 'lang' in value) {
      // `?lang=` picks the response language on every route (i18n), not a filter of this one.
      const { lang: _lang, ...rest } = value as Record<string, unknown>;
      value = rest;
    }
    try {
      const result: unknown = await super.transform(value, metadata);
      if (issues.length > 0) throw new ValidationFailedError(issues);
      return result;
    } catch (error) {
      if (error instanceof ValidationFailedError && issues.length > 0 && error.issues !== issues) {
        // One answer naming every bad field: class-validator's and the null checks'.
        const named = new Set(error.issues.map((issue) => issue.pointer));
        throw new ValidationFailedError([
          ...error.issues,
          ...issues.filter((issue) => !named.has(issue.pointer)),
        ]);
      }
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
