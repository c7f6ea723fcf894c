import { Injectable, Logger } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, Transporter } from 'nodemailer';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '../../core/config';
import type { RenderedMail } from './mail.types';

/**
 * Where rendered mail goes (`EMAIL_BACKEND`): `console` logs it (development default), `file`
 * writes an .eml per message to `EMAIL_FILE_DIR`, `smtp` sends it with nodemailer.
 */
@Injectable()
export class MailTransport {
  private readonly logger = new Logger('Mail');
  private smtp?: Transporter;

  constructor(private readonly config: AppConfig) {}

  async send(mail: RenderedMail): Promise<void> {
    const { backend } = this.config.email;
    if (backend === 'console') {
      this.logger.log(
        { to: mail.to, subject: mail.subject, text: mail.text },
        'mail (console backend)',
      );
      return;
    }
    if (backend === 'file') {
      const eml = await createTransport({
        streamTransport: true,
        buffer: true,
        newline: 'unix',
      }).sendMail(mail);
      const dir = resolve(this.config.email.fileDir);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${uuidv7()}.eml`), eml.message as Buffer);
      return;
    }
    this.smtp ??= createTransport({
      host: this.config.email.smtp.host,
      port: this.config.email.smtp.port,
      secure: this.config.email.smtp.port === 465,
      auth: this.config.email.smtp.user
        ? { user: this.config.email.smtp.user, pass: this.config.email.smtp.password }
        : undefined,
      connectionTimeout: 10_000,
    });
    await this.smtp.sendMail(mail);
  }
}
