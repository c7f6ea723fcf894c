import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsObject, IsOptional } from 'class-validator';

const VALUE_TYPES =
  'Each value is typed by its definition: a string (text, decimal as a decimal string, date YYYY-MM-DD, datetime ISO 8601 with offset, select, user id, http(s) url), a number (number), a boolean (boolean) or an array of strings (multiselect).';

/**
 * Swagger of a record DTO's `customFields` in requests: an object keyed by the custom field keys
 * of the entity type (`GET /custom-fields?entityType=`), each value typed by its definition.
 */
export const CUSTOM_FIELDS_INPUT_DOC: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: true,
  example: { color: 'red', weight_kg: 2.5 },
  description: `Custom field values by key (GET /custom-fields?entityType=). ${VALUE_TYPES} Each is checked against its active definition (422 at /customFields/<key>: unknown or deactivated key, wrong type, out of bounds, not an option, not an active member); required fields must be present. On PATCH the keys given replace those stored and null removes a key; keys left out stay.`,
};

/** Swagger of a record DTO's `customFields` in responses (deactivated keys included). */
export const CUSTOM_FIELDS_OUTPUT_DOC: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: true,
  description: `Custom field values by key (values of deactivated fields are kept). ${VALUE_TYPES}`,
};

/**
 * A record DTO's optional `customFields` input: a JSON object taken **as sent** (class-transformer
 * would silently drop keys such as `constructor`; the custom field rules must see every key to
 * refuse it at `/customFields/<key>`), checked by `CustomFieldsService.validate`.
 */
export const CustomFieldsInput = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional(CUSTOM_FIELDS_INPUT_DOC),
    Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => obj[key], {
      toClassOnly: true,
    }),
    IsOptional(),
    IsObject(),
  );
