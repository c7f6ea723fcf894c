import { Param, ParseUUIDPipe } from '@nestjs/common';

/**
 * A path parameter that must be a UUID (any version): `@IdParam() id: string`, or
 * `@IdParam('userId')` for another name. A value that is not a UUID answers 400 before the handler
 * runs (Nest's `ParseUUIDPipe`: code `bad_request`, detail `Validation failed (uuid is expected)`,
 * translated in core/i18n/error-messages.ts), and the OpenAPI document declares the parameter
 * `format: uuid` (see openapi-enforcement.ts).
 */
export const IdParam = (name = 'id'): ParameterDecorator => Param(name, ParseUUIDPipe);
