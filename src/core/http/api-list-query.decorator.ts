import { applyDecorators } from '@nestjs/common';
import {
  ApiExtension,
  ApiNotFoundResponse,
  ApiQuery,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';
import {
  FILTER_OPERATORS,
  FilterField,
  MAX_FILTER_BYTES,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  operatorsFor,
} from '../filters';
import { FilterType, ListDefinition, MAX_PAGE } from './list-query';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `sort`'s grammar as a pattern: comma-separated allow-listed keys, each optionally prefixed `-`. */
export const sortPattern = (sortable: readonly string[], escape = true): string => {
  const key = `-?(${(escape ? sortable.map(escapeRegex) : sortable).join('|')})`;
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

const fieldLine = (name: string, field: FilterField): string => {
  const type = typeof field.type === 'object' ? `enum(${field.type.enum.join('|')})` : field.type;
  return `\`${name}\` ${type}: ${operatorsFor(field.type).join(', ')}`;
};

/** The `?filter=` description: the grammar, the limits, and this list's fields with their operators. */
export const filterDescription = (definition: ListDefinition): string =>
  [
    'JSON filter tree: `{"and":[…]}`, `{"or":[…]}`, `{"not":{…}}` or a condition `{"field":"price","op":"gte","value":"10"}`.',
    `Operators: ${FILTER_OPERATORS.join(', ')} (\`in\`/\`notin\`: an array of 1–100 values; \`isnull\`: true or false; string operators only on string/text fields).`,
    "Tokens: `@me` (uuid fields: the signed-in user); `today`, `-7d`, `+3d`, `-2w`, `-1m` (date/datetime fields, in the organization's time zone; on a datetime `eq` means during that day).",
    `Limits: groups nested at most ${MAX_FILTER_DEPTH} deep, at most ${MAX_FILTER_CONDITIONS} conditions, at most ${MAX_FILTER_BYTES} bytes; no NUL. A bad filter is a 422 \`invalid_filter\` with \`meta.path\`.`,
    definition.customFields
      ? 'Custom fields: `cf.<key>` (typed by the field definition; select/multiselect values must be options).'
      : '',
    `Fields: ${Object.entries(definition.fields)
      .map(([name, field]) => fieldLine(name, field))
      .join('; ')}.`,
  ]
    .filter(Boolean)
    .join(' ');

/** Documents a list route's grammar (page, size, sort, filters, cursor) from its definition. */
export function ApiListQuery(definition: ListDefinition): MethodDecorator {
  const decorators = [
    // Names the list grammar the route parses (tests walk every list's fields × operators by it).
    ApiExtension('x-list-resource', definition.resource),
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
      description: `Comma-separated; prefix with - for descending. Sortable: ${definition.sortable.join(', ')}${definition.customFields ? ', cf.<key>' : ''}`,
      schema: {
        type: 'string',
        pattern: definition.customFields
          ? sortPattern(
              [...definition.sortable.map(escapeRegex), 'cf\\.[a-z][a-z0-9_]{0,49}'],
              false,
            )
          : sortPattern(definition.sortable),
        default: definition.defaultSort,
      },
    }),
    ApiQuery({
      name: 'filter',
      required: false,
      description: filterDescription(definition),
      schema: { type: 'string', maxLength: MAX_FILTER_BYTES },
    }),
    ApiQuery({
      name: 'savedFilterId',
      required: false,
      description:
        "A saved filter (view) of this list: its filter is ANDed with `filter`, its sort applies unless `sort` is given. Another list's → 422; not yours nor shared → 404; naming a field the list no longer has → 422 `stale_filter`.",
      schema: { type: 'string', format: 'uuid' },
    }),
    ...Object.entries(definition.filters as Record<string, FilterType>).map(([name, type]) =>
      ApiQuery({ name, required: false, schema: schemaFor(type) as never }),
    ),
    ApiUnprocessableEntityResponse({
      description: 'Unknown or invalid parameter',
      type: ErrorEnvelopeDto,
    }),
    // `?savedFilterId=` naming no filter the caller may use is a 404 on every list.
    ApiNotFoundResponse({
      description: '`savedFilterId` is not a saved filter of the caller nor shared with them',
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
