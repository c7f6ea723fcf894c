import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';
import { FilterType, ListDefinition } from './list-query';

const schemaFor = (type: FilterType): Record<string, unknown> => {
  if (typeof type === 'object') return { type: 'string', enum: [...type.enum] };
  return (
    {
      string: { type: 'string' },
      uuid: { type: 'string', format: 'uuid' },
      boolean: { type: 'boolean' },
      int: { type: 'integer' },
      decimal: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' },
      date: { type: 'string', format: 'date' },
      datetime: { type: 'string', format: 'date-time' },
    } as const
  )[type];
};

/** Documents a list route's grammar (page, size, sort, filters, cursor) from its definition. */
export function ApiListQuery(definition: ListDefinition): MethodDecorator {
  const decorators = [
    ApiQuery({
      name: 'page',
      required: false,
      schema: { type: 'integer', minimum: 1, default: 1 },
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
      schema: { type: 'string', default: definition.defaultSort },
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
