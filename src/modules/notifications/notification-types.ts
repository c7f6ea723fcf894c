/** A notification channel besides the in-app row (which is always written). */
export type NotificationChannel = 'email' | 'realtime';
export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['email', 'realtime'];

/** How e-mail goes out for a type: at once (coalesced per target over 5 min), once a day, never. */
export type EmailMode = 'immediate' | 'digest_daily' | 'off';
export const EMAIL_MODES: readonly EmailMode[] = ['immediate', 'digest_daily', 'off'];

export type NotificationLevel = 'info' | 'success' | 'warning' | 'error';
export const NOTIFICATION_LEVELS: readonly NotificationLevel[] = [
  'info',
  'success',
  'warning',
  'error',
];

/** One registered notification type (SPEC-P3 §4 "The type registry"). */
export interface NotificationType {
  /** Channels used when the person set no preference. */
  defaultChannels: readonly NotificationChannel[];
  /** The default e-mail mode when e-mail is a default channel (else `off`). */
  defaultEmailMode: EmailMode;
  /** Whether a person may change its preferences (security notices may not: 422). */
  mutable: boolean;
  /** What the person sees in the preferences screen. */
  description: string;
}

/**
 * Every notification type, by code. `notify()` refuses any other code (a programming error), the
 * preferences route any other code than these and `*`. Every e-mail uses the `notification`
 * (one item or a coalesced group) or `notification-digest` mail templates.
 */
export const NOTIFICATION_TYPES = {
  'comment.mention': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'Someone mentioned you in a comment',
  },
  'comment.new': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'A new comment on a record you follow',
  },
  'activity.assigned': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'An activity was assigned to you',
  },
  'activity.overdue': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'An activity assigned to you is overdue',
  },
  'record.updated': {
    defaultChannels: ['realtime'],
    defaultEmailMode: 'off',
    mutable: true,
    description: 'A record you follow changed',
  },
  'record.deleted': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'A record you follow was deleted',
  },
  'workflow.action_required': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'A record reached a workflow state where your role can act (approve, reject, …)',
  },
  broadcast: {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'An announcement from an administrator of the organization',
  },
  'meeting.provider_error': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description: 'The video room of a meeting you host could not be set up',
  },
  'webhook.paused': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: true,
    description:
      'A webhook subscription of the organization was paused (its receiver answered 410, or its deliveries kept failing); to its Owners and Admins',
  },
  'automation.notify': {
    defaultChannels: ['realtime'],
    defaultEmailMode: 'off',
    mutable: true,
    description: 'A message from an automation rule (or a rule that was disabled after failing)',
  },
  'security.notice': {
    defaultChannels: ['realtime', 'email'],
    defaultEmailMode: 'immediate',
    mutable: false,
    description: 'A security notice about your account (cannot be muted)',
  },
} as const satisfies Record<string, NotificationType>;

export type NotificationTypeCode = keyof typeof NOTIFICATION_TYPES;
export const NOTIFICATION_TYPE_CODES = Object.keys(NOTIFICATION_TYPES) as NotificationTypeCode[];

/** Whether `code` is a registered type. */
export const isNotificationType = (code: string): code is NotificationTypeCode =>
  Object.prototype.hasOwnProperty.call(NOTIFICATION_TYPES, code);

/** A stored preference row, as the resolution below reads it. */
export interface PreferenceRow {
  type: string;
  channel: NotificationChannel;
  enabled: boolean;
  emailMode: EmailMode | null;
}

/** What one recipient gets for one notification of `code`. */
export interface ResolvedChannels {
  realtime: boolean;
  /** `off`: the e-mail delivery is recorded as `skipped`. */
  email: EmailMode;
}

/**
 * Resolves a recipient's channels for `code`: the row for the exact type wins over the `*` row,
 * which wins over the registry's default. Immutable types ignore preferences entirely. A disabled
 * e-mail preference means `off`; an enabled one without a mode means `immediate`.
 */
export function resolveChannels(
  code: NotificationTypeCode,
  preferences: readonly PreferenceRow[],
): ResolvedChannels {
  const type: NotificationType = NOTIFICATION_TYPES[code];
  const defaults: ResolvedChannels = {
    realtime: type.defaultChannels.includes('realtime'),
    email: type.defaultChannels.includes('email') ? type.defaultEmailMode : 'off',
  };
  if (!type.mutable) return defaults;
  const pick = (channel: NotificationChannel) =>
    preferences.find((p) => p.type === code && p.channel === channel) ??
    preferences.find((p) => p.type === '*' && p.channel === channel);
  const realtime = pick('realtime');
  const email = pick('email');
  return {
    realtime: realtime ? realtime.enabled : defaults.realtime,
    email: email ? (email.enabled ? (email.emailMode ?? 'immediate') : 'off') : defaults.email,
  };
}
