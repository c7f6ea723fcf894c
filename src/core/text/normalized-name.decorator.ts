import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { appendApiDescription } from './api-description';
import { normalizeName, NORMALIZED_NAME_NOTE } from './normalize';

/** class-validator name of the check `NormalizedName` adds (the free-text guard test looks for it). */
export const NORMALIZED_NAME_CONSTRAINT = 'normalizedName';

/**
 * DTO property decorator: applies `normalizeName` (NFC, zero-width removed, whitespace collapsed,
 * trimmed) to a string — or to each string of an array — before validation, so length and pattern
 * rules and the unique index all see the stored form (a blank value becomes `""`, which a
 * `Length(1, …)` refuses). Non-strings pass through for the type validators to refuse. It also
 * registers a validation (`normalizedName`) that the value is in normalised form, which holds by
 * construction and marks the property for `free-text.guard.spec.ts`.
 *
 * It also appends `NORMALIZED_NAME_NOTE` to the property's Swagger description, so the document
 * states the rule; put it above `@ApiProperty`/`@ApiPropertyOptional` (decorators apply bottom
 * up) — the class fails to load otherwise.
 */
export function NormalizedName(): PropertyDecorator {
  const transform = Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'string') return normalizeName(value);
    if (Array.isArray(value))
      return value.map((item: unknown) => (typeof item === 'string' ? normalizeName(item) : item));
    return value;
  });
  const check = ValidateBy({
    name: NORMALIZED_NAME_CONSTRAINT,
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || value === normalizeName(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must be in normalised form`,
    },
  });
  return (target, propertyKey) => {
    transform(target, propertyKey);
    check(target, propertyKey);
    appendApiDescription(target, propertyKey, NORMALIZED_NAME_NOTE, 'NormalizedName');
  };
}
