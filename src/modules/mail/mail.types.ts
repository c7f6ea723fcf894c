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

export interface MailJob<T extends MailTemplate = MailTemplate> {
  to: string;
  template: T;
  language: string;
  data: MailTemplates[T];
}

export interface RenderedMail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
}

export const MAIL_JOB = 'mail.send';
