import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load-config';
import { MailRenderer } from './mail-renderer';
import { MailTransport } from './mail-transport';

const config = (env: Record<string, string> = {}) =>
  loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: 'postgres://unused@127.0.0.1/unused', ...env });

describe('mail rendering and transports', () => {
  const data = {
    name: '<img src=x onerror=alert(1)>',
    email: 'x@example.test',
    link: 'https://erp.example.test/reset-password?token=abc',
    validMinutes: 60,
  };

  it('escapes values in HTML only, and falls back to English for unknown languages', () => {
    const renderer = new MailRenderer(config());
    const mail = renderer.render({
      to: 'x@example.test',
      template: 'password-reset',
      language: 'de',
      data,
    });
    expect(mail.subject).toBe('Reset your Alees password');
    expect(mail.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(mail.html).not.toContain('<img');
    expect(mail.text).toContain('Hello <img src=x onerror=alert(1)>,');
  });

  it('refuses a template rendered without the data it needs', () => {
    const renderer = new MailRenderer(config());
    expect(() =>
      renderer.render({ to: 'x', template: 'invitation', language: 'en', data: data }),
    ).toThrow(/not defined/);
  });

  it('the file transport writes one .eml per message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alees-mail-'));
    const transport = new MailTransport(config({ EMAIL_BACKEND: 'file', EMAIL_FILE_DIR: dir }));
    await transport.send({
      to: 'a@example.test',
      from: 'b@example.test',
      subject: 'Hi',
      html: '<p>x</p>',
      text: 'x',
    });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = readFileSync(join(dir, files[0]), 'utf8');
    expect(eml).toContain('To: a@example.test');
    expect(eml).toContain('Subject: Hi');
  });

  it('carries attachments from the job to the message (file transport: a MIME part with its type)', async () => {
    const renderer = new MailRenderer(config());
    const attachment = {
      filename: 'invite.ics',
      contentType: 'text/calendar; method=REQUEST; charset=utf-8',
      content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n',
    };
    const mail = renderer.render({
      to: 'a@example.test',
      template: 'meeting-invitation',
      language: 'fr',
      data: {
        title: 'Revue',
        link: 'https://erp.example.test/meetings/1',
        organization: 'Acme',
        host: 'Ada',
        when: '2026-03-29 10:00',
        timezone: 'Europe/Paris',
        updated: true,
        cancelled: false,
      },
      attachments: [attachment],
    });
    expect(mail.subject).toBe('Invitation modifiée : Revue (2026-03-29 10:00)');
    expect(mail.attachments).toEqual([attachment]);
    const dir = mkdtempSync(join(tmpdir(), 'alees-mail-'));
    await new MailTransport(config({ EMAIL_BACKEND: 'file', EMAIL_FILE_DIR: dir })).send(mail);
    const eml = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8');
    expect(eml).toContain('Content-Type: text/calendar; method=REQUEST; charset=utf-8');
    expect(eml).toContain('filename=invite.ics');
  });
});
