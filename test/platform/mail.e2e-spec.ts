import { createUser } from '../factories/identity.factory';
import { Actor, createTenant, login, superuserIn } from '../support/auth';
import { startSmtpServer } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';

const linkToken = (text: string) => {
  const match = /https?:\/\/\S+reset-password\?token=([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no link in: ${text}`);
  return match[1];
};

describe('mail: queued, rendered from templates, delivered over real SMTP', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let owner: Actor;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: {
        EMAIL_BACKEND: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        EMAIL_FROM: 'Alees <no-reply@alees.test>',
        PUBLIC_APP_URL: 'https://erp.example.test',
      },
    });
    await t.startWorker();
    owner = await createTenant(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('password reset: the right recipient, subject, escaped HTML and text; its link works', async () => {
    const user = await createUser(t.dataSource, {
      email: 'ada.reset@example.test',
      fullName: 'Ada <b>"Countess"</b> & co',
    });
    await t.http
      .post('/api/v1/auth/password-reset/request')
      .send({ email: user.email })
      .expect(202);
    const mail = await smtp.waitFor(user.email);

    expect(mail.to).toMatchObject({ value: [{ address: user.email }] });
    expect(mail.from).toMatchObject({ value: [{ address: 'no-reply@alees.test' }] });
    expect(mail.subject).toBe('Reset your Alees password');
    expect(mail.html).toContain('Hello Ada &lt;b&gt;&quot;Countess&quot;&lt;/b&gt; &amp; co,');
    expect(mail.html).not.toContain('<b>"Countess"</b>');
    expect(mail.text).toContain('Hello Ada <b>"Countess"</b> & co,');
    expect(mail.text).toContain('https://erp.example.test/reset-password?token=');

    const token = linkToken(mail.text ?? '');
    await t.http
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, newPassword: 'chosen-after-reset-1' })
      .expect(204);
    await login(t, user.email, 'chosen-after-reset-1');
  });

  it('speaks the user’s language', async () => {
    const user = await createUser(t.dataSource, { email: 'marie@example.test', fullName: 'Marie' });
    await t.dataSource.query(`UPDATE users SET language = 'fr' WHERE id = $1`, [user.id]);
    await t.http
      .post('/api/v1/auth/password-reset/request')
      .send({ email: user.email })
      .expect(202);
    const mail = await smtp.waitFor(user.email);
    expect(mail.subject).toBe('Réinitialisez votre mot de passe Alees');
    expect(mail.text).toContain('Bonjour Marie,');
  });

  it('invitation: a superuser creating a user without a password mails a link to choose one', async () => {
    const roles = (await owner.get('/api/v1/roles').expect(200)).body as {
      id: string;
      name: string;
    }[];
    const member = roles.find((r) => r.name === 'Member')!.id;
    const platform = await superuserIn(t, owner.organization);
    const res = await platform
      .post('/api/v1/users')
      .send({ email: 'new.colleague@example.test', fullName: 'New Colleague', roleIds: [member] });
    expect(res.status).toBe(201);
    const mail = await smtp.waitFor('new.colleague@example.test');
    expect(mail.subject).toMatch(/invited you to .+ on Alees$/);
    expect(mail.html).toContain('<strong>');
    const token = linkToken(mail.text ?? '');
    await t.http
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, newPassword: 'my-first-password-1' })
      .expect(204);
    await login(t, 'new.colleague@example.test', 'my-first-password-1');
  });
});
