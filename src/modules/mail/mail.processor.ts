import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { SYSTEM_QUEUE } from '../../core/queue';
import { MailRenderer } from './mail-renderer';
import { MailTransport } from './mail-transport';
import { MAIL_JOB, MailJob } from './mail.types';

/** The worker side: renders and sends; a transport error fails the attempt and Bull retries it. */
@Processor(SYSTEM_QUEUE)
export class MailProcessor {
  private readonly logger = new Logger(MailProcessor.name);

  constructor(
    private readonly renderer: MailRenderer,
    private readonly transport: MailTransport,
  ) {}

  @Process(MAIL_JOB)
  async send(job: Job<MailJob>): Promise<{ sent: true }> {
    const mail = this.renderer.render(job.data);
    await this.transport.send(mail);
    this.logger.log(
      { jobId: job.id, template: job.data.template, attempt: job.attemptsMade + 1 },
      'mail sent',
    );
    return { sent: true };
  }
}
