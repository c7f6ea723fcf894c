/** Every template, with the data it needs (one folder per template under `templates/`). */
export interface MailTemplates {
  'password-reset': { name: string; email: string; link: string; validMinutes: number };
  invitation: {
    name: string;
    email: string;
    link: string;
    inviter: string;
    organization: string;
    validDays: number;
  };
  'signup-verify': {
    name: string;
    email: string;
    organization: string;
    link: string;
    validHours: number;
  };
  /** `link`: where to sign in. */
  'signup-existing': { name: string; email: string; link: string; resetLink: string };
  /** An invitation to join an organization (`POST /invitations`, `POST /tenants`). */
  'organization-invitation': {
    name: string;
    email: string;
    link: string;
    inviter: string;
    organization: string;
    validDays: number;
  };
  /** One or several (coalesced, same record within 5 minutes) notifications, sent at once. */
  /** `link`: the notifications page of the app. */
  notification: {
    name: string;
    organization: string;
    items: NotificationMailItem[];
    link: string;
  };
  /**
   * A meeting invitation, its update (`updated`: time or place changed) or its cancellation; the
   * iCalendar file travels as an attachment (`MailJob.attachments`). `when`: the start in the
   * meeting's time zone, formatted by the sender; `link`: the meeting in the app.
   */
  'meeting-invitation': {
    title: string;
    link: string;
    organization: string;
    host: string;
    when: string;
    timezone: string;
    updated: boolean;
    cancelled: boolean;
  };
  /**
   * An automation rule's `send_email` action (issue 19): subject and body from the rule, `rule`
   * its id, `link` the record's API path (empty without a record).
   */
  'automation-email': { name: string; subject: string; body: string; rule: string; link: string };
  /** The daily digest of notifications whose e-mail preference is `digest_daily`. */
  'notification-digest': {
    name: string;
    organization: string;
    items: NotificationMailItem[];
    count: number;
    link: string;
  };
}

/** One notification as an e-mail lists it (`path`: relative API path of the record, or empty). */
export interface NotificationMailItem {
  title: string;
  body: string;
  path: string;
}
export type MailTemplate = keyof MailTemplates;

/** Languages with translated templates; anything else falls back to English. */
export const MAIL_LANGUAGES = ['en', 'fr'] as const;

/** A file sent with a message (text content only: it travels in the queued job as JSON). */
export interface MailAttachment {
  filename: string;
  /** The full MIME type, parameters included (`text/calendar; method=REQUEST; charset=utf-8`). */
  contentType: string;
  content: string;
}

export interface MailJob<T extends MailTemplate = MailTemplate> {
  to: string;
  template: T;
  language: string;
  data: MailTemplates[T];
  attachments?: MailAttachment[];
}

export interface RenderedMail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  attachments?: MailAttachment[];
}

export const MAIL_JOB = 'mail.send';
