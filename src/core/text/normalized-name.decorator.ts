import { Transform } from 'class-transformer';
import { normalizeName, NORMALIZED_NAME_NOTE } from './normalize';

/** `API_MODEL_PROPERTIES` of @nestjs/swagger (its package exports hide the constant). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

/**
 * DTO property decorator: applies `normalizeName` (NFC, zero-width removed, whitespace collapsed,
 * trimmed) to a string — or to each string of an array — before validation, so length and pattern
 * rules and the unique index all see the stored form. Non-strings pass through for the type
 * validators to refuse.
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
  return (target, propertyKey) => {
    transform(target, propertyKey);
    const existing = Reflect.getMetadata(API_MODEL_PROPERTIES, target, propertyKey) as
      { description?: string } | undefined;
    if (!existing)
      throw new Error(
        `@NormalizedName() on ${target.constructor.name}.${String(propertyKey)} must sit above @ApiProperty`,
      );
    const description = existing.description
      ? `${existing.description}. ${NORMALIZED_NAME_NOTE}`
      : NORMALIZED_NAME_NOTE;
    Reflect.defineMetadata(API_MODEL_PROPERTIES, { ...existing, description }, target, propertyKey);
  };
}
