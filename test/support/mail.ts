import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { SYSTEM_QUEUE } from '../../src/core/queue';
import { MAIL_JOB, MailJob } from '../../src/modules/mail/mail.types';
import type { TestApp } from './test-app';

/** The mail jobs queued for `to` (no worker needed): what the worker would render and send. */
export async function queuedMail(t: TestApp, to: string): Promise<MailJob[]> {
  const queue = t.app.get<Queue<MailJob>>(getQueueToken(SYSTEM_QUEUE));
  const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed']);
  return jobs.filter((job) => job?.name === MAIL_JOB && job.data.to === to).map((job) => job.data);
}

/** A real SMTP server on a free port that parses every message it receives. */
export async function startSmtpServer(): Promise<{
  port: number;
  received: ParsedMail[];
  waitFor(to: string, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    async waitFor(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = received.find((m) => m.to && JSON.stringify(m.to).includes(to));
        if (mail) return mail;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
