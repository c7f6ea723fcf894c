/** `API_MODEL_PROPERTIES` of @nestjs/swagger (its package exports hide the constant). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

/**
 * Appends `note` to the Swagger description of `target.propertyKey`, so the document states a rule
 * a decorator enforces. The property's `@ApiProperty`/`@ApiPropertyOptional` must already be applied
 * (decorators run bottom up: put the calling decorator above it); throws naming `decorator` otherwise,
 * when the class is loaded.
 */
export function appendApiDescription(
  target: object,
  propertyKey: string | symbol,
  note: string,
  decorator: string,
): void {
  const existing = Reflect.getMetadata(API_MODEL_PROPERTIES, target, propertyKey) as
    { description?: string } | undefined;
  if (!existing)
    throw new Error(
      `@${decorator}() on ${target.constructor.name}.${String(propertyKey)} must sit above @ApiProperty`,
    );
  const description = existing.description ? `${existing.description}. ${note}` : note;
  Reflect.defineMetadata(API_MODEL_PROPERTIES, { ...existing, description }, target, propertyKey);
}
