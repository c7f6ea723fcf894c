import { defineErrors, rule } from '../../core/http';

/** The notifications module's error codes (README "Error codes"). */
export const NotificationsErrors = defineErrors({
  notification_type_not_mutable: rule((index: number, type: string) => ({
    detail: `notifications of type "${type}" cannot be muted or changed`,
    pointer: `/preferences/${index}/type`,
  })),
  email_mode_needs_email_channel: rule((index: number) => ({
    detail: 'emailMode applies to the email channel only',
    pointer: `/preferences/${index}/emailMode`,
  })),
  duplicate_preference: rule((index: number) => ({
    detail: 'this type and channel are already listed',
    pointer: `/preferences/${index}`,
  })),
  invalid_role: rule(() => ({
    detail: 'roleId is not a role of this organization',
    pointer: '/roleId',
  })),
});
