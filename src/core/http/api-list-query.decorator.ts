import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';
import { FilterType, ListDefinition, MAX_PAGE } from './list-query';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `sort`'s grammar as a pattern: comma-separated allow-listed keys, each optionally prefixed `-`. */
export const sortPattern = (sortable: readonly string[]): string => {
  const key = `-?(${sortable.map(escapeRegex).join('|')})`;
  return `^${key}(,${key})*$`;
};

const schemaFor = (type: FilterType): Record<string, unknown> => {
  if (typeof type === 'object') return { type: 'string', enum: [...type.enum] };
  return (
    {
      string: { type: 'string', maxLength: 200 },
      uuid: { type: 'string', format: 'uuid' },
      boolean: { type: 'boolean' },
      int: { type: 'integer', minimum: -999_999_999_999_999, maximum: 999_999_999_999_999 },
      decimal: { type: 'string', pattern: '^-?\\d{1,20}(\\.\\d{1,10})?$' },
      date: { type: 'string', format: 'date' },
      datetime: { type: 'string', format: 'date-time' },
      names: {
        type: 'string',
        description: 'Comma-separated names (1-50, each 1-50 characters after normalisation)',
      },
    } as const
  )[type];
};

/** Documents a list route's grammar (page, size, sort, filters, cursor) from its definition. */
export function ApiListQuery(definition: ListDefinition): MethodDecorator {
  const decorators = [
    ApiQuery({
      name: 'page',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 },
    }),
    ApiQuery({
      name: 'size',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    }),
    ApiQuery({
      name: 'sort',
      required: false,
      description: `Comma-separated; prefix with - for descending. Sortable: ${definition.sortable.join(', ')}`,
      schema: {
        type: 'string',
        pattern: sortPattern(definition.sortable),
        default: definition.defaultSort,
      },
    }),
    ...Object.entries(definition.filters as Record<string, FilterType>).map(([name, type]) =>
      ApiQuery({ name, required: false, schema: schemaFor(type) as never }),
    ),
    ApiUnprocessableEntityResponse({
      description: 'Unknown or invalid parameter',
      type: ErrorEnvelopeDto,
    }),
  ];
  if (definition.cursor) {
    decorators.push(
      ApiQuery({
        name: 'cursor',
        required: false,
        description: 'Keyset position from `nextCursor`',
        schema: { type: 'string' },
      }),
    );
  }
  return applyDecorators(...decorators);
}
