import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../core/config';
import { MAIL_LANGUAGES, MailJob, RenderedMail } from './mail.types';

type Part = 'subject' | 'html' | 'text';

/**
 * Renders `templates/<template>/<language>.{subject,html,text}.hbs`. HTML escapes every `{{value}}`
 * (Handlebars' default), so user data can never inject markup; subject and text are plain text.
 * Compiled templates are cached.
 */
@Injectable()
export class MailRenderer {
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();
  private readonly root = join(__dirname, 'templates');

  constructor(private readonly config: AppConfig) {}

  render(job: MailJob): RenderedMail {
    const language = (MAIL_LANGUAGES as readonly string[]).includes(job.language)
      ? job.language
      : 'en';
    const part = (name: Part) => this.template(job.template, language, name)(job.data).trim();
    return {
      to: job.to,
      from: this.config.email.from,
      subject: part('subject').replace(/\s+/g, ' '),
      html: part('html'),
      text: part('text'),
      ...(job.attachments?.length && { attachments: job.attachments }),
    };
  }

  private template(template: string, language: string, part: Part): HandlebarsTemplateDelegate {
    if (!/^[a-z-]+$/.test(template)) throw new Error(`Bad mail template name "${template}"`);
    const key = `${template}/${language}.${part}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      const source = readFileSync(join(this.root, template, `${language}.${part}.hbs`), 'utf8');
      compiled = Handlebars.compile(source, { noEscape: part !== 'html', strict: true });
      this.compiled.set(key, compiled);
    }
    return compiled;
  }
}
