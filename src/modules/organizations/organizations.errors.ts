import { conflict, defineErrors, rule } from '../../core/http';

/** Why an organization may not become (or stay) active under its parent. */
const PARENT_ARCHIVED = {
  create: { detail: 'Cannot add an organization under an archived one', pointer: '/parentId' },
  move: { detail: 'Cannot move an organization under an archived one', pointer: '/parentId' },
  restore: {
    detail:
      'Restore the parent organization first: an active organization cannot sit under an archived one',
    pointer: undefined,
  },
} as const;

/** The organizations module's error codes (README "Error codes"): the organization tree. */
export const OrganizationsErrors = defineErrors({
  unknown_organization_type: rule((typeCode: string | undefined) => ({
    detail: `Unknown organization type "${typeCode}"`,
    pointer: '/typeCode',
  })),
  invalid_parent: rule(() => ({
    detail: 'parentId is not an organization you manage',
    pointer: '/parentId',
  })),
  parent_archived: rule((why: keyof typeof PARENT_ARCHIVED = 'create') => PARENT_ARCHIVED[why]),
  /** `ids`: the still-active descendants (the first 50 are listed in `meta.ids`). */
  active_descendants: conflict((ids: string[]) => ({
    detail: `${ids.length} descendant organization(s) are still active; archive them first or use ?cascade=true`,
    meta: { count: ids.length, ids: ids.slice(0, 50) },
  })),
  cannot_archive_active_organization: rule(
    () => 'Switch to a parent organization to archive this one',
  ),
  cannot_move_active_organization: rule(() => 'Switch to a parent organization to move this one'),
  /** `pointer`: `/parentId` when the request named the parent. */
  cycle_detected: rule((pointer?: string) => ({
    detail: 'An organization cannot move under itself or its descendants',
    pointer,
  })),
});
