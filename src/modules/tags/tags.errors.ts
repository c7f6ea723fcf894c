import { conflict, defineErrors, rule } from '../../core/http';

/** The tags module's error codes (README "Error codes"). */
export const TagsErrors = defineErrors({
  tag_name_taken: conflict((name: string) => ({
    detail: `A tag named like "${name}" already exists (names compare ignoring case and Unicode form)`,
    field: 'name',
  })),
  unknown_tag: rule((name: string, pointer: string) => ({
    detail: `There is no tag "${name}" and creating tags needs tags:create`,
    pointer,
    meta: { name },
  })),
  tag_not_allowed: rule((name: string, entityType: string, pointer: string) => ({
    detail: `The tag "${name}" may not be used on ${entityType} records`,
    pointer,
    meta: { name, entityType },
  })),
  too_many_tags: rule((max: number, pointer: string) => ({
    detail: `A record carries at most ${max} tags`,
    pointer,
    meta: { max },
  })),
  invalid_tag_name: rule((pointer: string) => ({
    detail:
      'A tag name is 1-50 characters after normalisation, with no comma, "|" or control character',
    pointer,
  })),
  invalid_entity_type: rule((entityType: string, known: string[]) => ({
    detail: `"${entityType}" is not a type of record that can be tagged; known: ${known.join(', ')}`,
    pointer: '/entityTypes',
    meta: { entityType },
  })),
  entity_type_in_use: rule((entityType: string) => ({
    detail: `The tag is still used on ${entityType} records: remove it there first, or keep the type`,
    pointer: '/entityTypes',
    meta: { entityType },
  })),
  merge_into_itself: rule(() => ({
    detail: 'A tag cannot be merged into itself',
    pointer: '/targetId',
  })),
  invalid_merge_target: rule(() => ({
    detail: 'targetId is not a tag of this organization',
    pointer: '/targetId',
  })),
});
