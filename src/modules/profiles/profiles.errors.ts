import { defineErrors, rule } from '../../core/http';

/** The profiles module's error codes (README "Error codes"). */
export const ProfilesErrors = defineErrors({
  invalid_delegate: rule(() => ({
    detail: 'delegateUserId must be an active user sharing an organization with you, not yourself',
    pointer: '/delegateUserId',
  })),
  invalid_manager: rule(() => ({
    detail: 'managerUserId must be an active member of this organization other than the member',
    pointer: '/managerUserId',
  })),
  manager_cycle: rule(() => ({
    detail: 'managerUserId reports (directly or not) to this member: a cycle',
    pointer: '/managerUserId',
  })),
  invalid_employment_dates: rule(() => ({
    detail: 'employmentEnd must be on or after employmentStart',
    pointer: '/employmentEnd',
  })),
  /** `maxBytes`: the avatar limit (5 MB). */
  avatar_too_large: rule((maxBytes: number) => ({
    detail: `An avatar may be at most ${maxBytes} bytes`,
    pointer: '/file',
    meta: { maxBytes },
  })),
  avatar_not_image: rule(() => ({
    detail: 'An avatar must be a PNG, JPEG, GIF or WebP image (checked on its bytes)',
    pointer: '/file',
  })),
  multipart_required: rule(() => ({
    detail: 'Send the image as multipart/form-data field "file"',
    pointer: '/file',
  })),
});
