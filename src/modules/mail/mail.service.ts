import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { addWithTimeout, SYSTEM_QUEUE } from '../../core/queue';
import { MAIL_JOB, MailAttachment, MailJob, MailTemplate, MailTemplates } from './mail.types';

/** The API side: mail is queued (retried by the worker), never sent inside a request. */
@Injectable()
export class MailService {
  constructor(@InjectQueue(SYSTEM_QUEUE) private readonly queue: Queue) {}

  /**
   * Queues one message; 503 if the queue is unreachable (callers send inside their transaction).
   * `attachments` (text files such as an iCalendar invitation) are sent as they are.
   */
  async send<T extends MailTemplate>(
    to: string,
    template: T,
    language: string,
    data: MailTemplates[T],
    attachments?: MailAttachment[],
  ): Promise<string> {
    const job: MailJob<T> = { to, template, language, data, ...(attachments && { attachments }) };
    return addWithTimeout(this.queue, job, { name: MAIL_JOB, attempts: 5 });
  }
}
