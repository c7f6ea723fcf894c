// Public surface of the mail module (no tables).
export { MailModule, MailWorkerModule } from './mail.module';
export { MailService } from './mail.service';
export type { MailAttachment, NotificationMailItem } from './mail.types';
export { MAIL_LANGUAGES } from './mail.types';
