import { defineErrors, rule } from '../../core/http';

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
  parent_archived: rule(() => ({
    detail: 'Cannot add an organization under an archived one',
    pointer: '/parentId',
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
