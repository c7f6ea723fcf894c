import { defineErrors, rule } from '../../core/http';

/** The memberships module's error codes (README "Error codes"). */
export const MembershipsErrors = defineErrors({
  cannot_suspend_self: rule(() => 'You cannot suspend your own membership'),
  /** `pointer`: `/roleIds` when a role change would remove the last Owner. */
  last_owner: rule((pointer?: string) => ({
    detail: 'The organization needs at least one Owner',
    pointer,
  })),
  unknown_role: rule((unknown: string[]) => ({
    detail: `Roles not available in this organization: ${unknown.join(', ')}`,
    pointer: '/roleIds',
  })),
  unknown_user: rule(() => ({ detail: 'No such user', pointer: '/userId' })),
});
