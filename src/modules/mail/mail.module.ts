import { Global, Module } from '@nestjs/common';
import { MailRenderer } from './mail-renderer';
import { MailTransport } from './mail-transport';
import { MailProcessor } from './mail.processor';
import { MailService } from './mail.service';

/** See README.md in this folder. API side: queue mail from any module. */
@Global()
@Module({ providers: [MailService], exports: [MailService] })
export class MailModule {}

/** Worker side: render and deliver. */
@Module({ providers: [MailRenderer, MailTransport, MailProcessor] })
export class MailWorkerModule {}
