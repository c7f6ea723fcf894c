import { createOrganization, createUser } from '../factories/identity.factory';
import { actorFor, login } from '../support/auth';
import { queuedMail, startSmtpServer } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';
import { ensureRoomInRateLimitWindow } from '../support/rate-limit-window';

interface Envelope {
  errors: { status: string; code: string; source?: { pointer?: string } }[];
}

const tokenIn = (text: string | undefined): string => {
  const match = /\/signup\/verify\?token=([A-Za-z0-9_-]+)/.exec(text ?? '');
  if (!match) throw new Error(`no sign-up link in: ${text}`);
  return match[1];
};

const signup = (email: string, code: string) => ({
  email,
  password: 'a-long-enough-password',
  fullName: 'Grace Hopper',
  organizationName: `${code} Ltd`,
  organizationCode: code,
});

const count = async (t: TestApp, sql: string, params: unknown[] = []): Promise<number> =>
  Number((await t.dataSource.query<{ n: string }[]>(sql, params))[0].n);

describe('self-service sign-up, off by default', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('both routes answer 404 and nothing is written or queued', async () => {
    const res = await t.http
      .post('/api/v1/auth/signup')
      .send(signup('off@example.test', 'OFF-1'))
      .expect(404);
    expect((res.body as Envelope).errors[0]).toMatchObject({ status: '404', code: 'not_found' });
    await t.http
      .post('/api/v1/auth/signup/verify')
      .send({ token: 'x'.repeat(43) })
      .expect(404);
    expect(await count(t, 'SELECT count(*) AS n FROM signup_requests')).toBe(0);
    expect(await queuedMail(t, 'off@example.test')).toEqual([]);
  });
});

describe('self-service sign-up (ALLOW_SIGNUP=true), through the mail queue and real SMTP', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: {
        ALLOW_SIGNUP: 'true',
        EMAIL_BACKEND: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        PUBLIC_APP_URL: 'https://erp.example.test',
      },
    });
    await t.startWorker();
  }, 30_000);
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('request → 202 and a verification mail; verify → account, root organization, Owner; single use', async () => {
    const email = 'grace@example.test';
    const accepted = await t.http
      .post('/api/v1/auth/signup')
      .send(signup('Grace@Example.test', 'HOPPER'))
      .expect(202);
    expect(accepted.body).toEqual({});
    expect(await count(t, 'SELECT count(*) AS n FROM users WHERE email = $1', [email])).toBe(0);

    const mail = await smtp.waitFor(email);
    expect(mail.subject).toBe('Confirm your Alees sign-up');
    expect(mail.text).toContain('https://erp.example.test/signup/verify?token=');
    const token = tokenIn(mail.text);
    const [stored] = await t.dataSource.query<{ token_hash: string; expires_at: Date }[]>(
      'SELECT token_hash, expires_at FROM signup_requests WHERE email = $1',
      [email],
    );
    expect(stored.token_hash).not.toContain(token);
    const ttlHours = (new Date(stored.expires_at).getTime() - Date.now()) / 3_600_000;
    expect(ttlHours).toBeGreaterThan(23.9);
    expect(ttlHours).toBeLessThanOrEqual(24);

    const created = (await t.http.post('/api/v1/auth/signup/verify').send({ token }).expect(201))
      .body as { userId: string; organizationId: string };
    const [org] = await t.dataSource.query<
      { code: string; name: string; parent_id: string | null; depth: number }[]
    >('SELECT code, name, parent_id, depth FROM organizations WHERE id = $1', [
      created.organizationId,
    ]);
    expect(org).toEqual({ code: 'HOPPER', name: 'HOPPER Ltd', parent_id: null, depth: 0 });
    const [audit] = await t.dataSource.query<{ action: string; actor_user_id: string }[]>(
      'SELECT action, actor_user_id FROM audit_logs WHERE organization_id = $1',
      [created.organizationId],
    );
    expect(audit).toEqual({ action: 'signup.complete', actor_user_id: created.userId });

    // The person signs in and is Owner of the new root organization.
    const tokens = await login(t, email, 'a-long-enough-password');
    const me = (
      await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${tokens.accessToken}`)
        .expect(200)
    ).body as { id: string; memberships: { organizationId: string; roles: string[] }[] };
    expect(me.id).toBe(created.userId);
    expect(me.memberships).toEqual([
      expect.objectContaining({ organizationId: created.organizationId, roles: ['Owner'] }),
    ]);

    // Single use.
    const again = await t.http.post('/api/v1/auth/signup/verify').send({ token }).expect(422);
    expect((again.body as Envelope).errors[0]).toMatchObject({
      code: 'invalid_signup_token',
      source: { pointer: '/token' },
    });
    expect(await count(t, 'SELECT count(*) AS n FROM users WHERE email = $1', [email])).toBe(1);
  });

  it('an email with an account gets the same 202, a reminder mail and no link; nothing stored', async () => {
    const existing = await createUser(t.dataSource, { email: 'known@example.test' });
    const fresh = await t.http
      .post('/api/v1/auth/signup')
      .send(signup('fresh-person@example.test', 'FRESH-1'))
      .expect(202);
    const known = await t.http
      .post('/api/v1/auth/signup')
      .send(signup(existing.email, 'KNOWN-1'))
      .expect(202);
    expect(known.body).toEqual(fresh.body);
    expect(Object.keys(known.headers).sort()).toEqual(Object.keys(fresh.headers).sort());
    const mail = await smtp.waitFor(existing.email);
    expect(mail.subject).toBe('You already have an Alees account');
    expect(mail.text).not.toContain('signup/verify');
    expect(
      await count(t, 'SELECT count(*) AS n FROM signup_requests WHERE email = $1', [
        existing.email,
      ]),
    ).toBe(0);
  });

  it('bad input → 422 naming each field; nothing stored, nothing queued', async () => {
    const res = await t.http
      .post('/api/v1/auth/signup')
      .send({
        email: 'not-an-email',
        password: 'short',
        fullName: '',
        organizationName: 'X',
        organizationCode: '-bad code-',
        extra: true,
      })
      .expect(422);
    const pointers = (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();
    expect(pointers).toEqual(
      ['/email', '/extra', '/fullName', '/organizationCode', '/password'].sort(),
    );
    expect(
      await count(t, 'SELECT count(*) AS n FROM signup_requests WHERE email = $1', [
        'not-an-email',
      ]),
    ).toBe(0);
    expect(await queuedMail(t, 'not-an-email')).toEqual([]);
    await t.http.post('/api/v1/auth/signup/verify').send({ token: 'short' }).expect(422);
  });

  it('a taken organization code → 409 on the request; an expired link → 422', async () => {
    await createOrganization(t.dataSource, { code: 'TAKEN-1' });
    const res = await t.http
      .post('/api/v1/auth/signup')
      .send(signup('taken@example.test', 'taken-1'))
      .expect(409);
    expect((res.body as Envelope).errors[0]).toMatchObject({
      code: 'organization_code_taken',
      source: { pointer: '/organizationCode' },
    });

    await t.http
      .post('/api/v1/auth/signup')
      .send(signup('late@example.test', 'LATE-1'))
      .expect(202);
    const token = tokenIn((await smtp.waitFor('late@example.test')).text);
    await t.dataSource.query(
      `UPDATE signup_requests SET expires_at = now() - interval '1 second' WHERE email = $1`,
      ['late@example.test'],
    );
    await t.http.post('/api/v1/auth/signup/verify').send({ token }).expect(422);
    expect(await count(t, `SELECT count(*) AS n FROM organizations WHERE code = 'LATE-1'`)).toBe(0);
  });

  it('two signed-up tenants never see each other', async () => {
    const ids: { userId: string; organizationId: string; email: string }[] = [];
    for (const code of ['TWIN-A', 'TWIN-B']) {
      const email = `${code.toLowerCase()}@example.test`;
      await t.http.post('/api/v1/auth/signup').send(signup(email, code)).expect(202);
      const token = tokenIn((await smtp.waitFor(email)).text);
      const body = (await t.http.post('/api/v1/auth/signup/verify').send({ token }).expect(201))
        .body as { userId: string; organizationId: string };
      ids.push({ ...body, email });
    }
    const [a, b] = ids;
    const actorA = actorFor(
      t,
      { id: a.userId, email: a.email, password: 'a-long-enough-password' },
      { id: a.organizationId, code: 'TWIN-A', path: `/${a.organizationId}/` },
      await login(t, a.email, 'a-long-enough-password'),
    );
    await actorA.get(`/api/v1/organizations/${b.organizationId}`).expect(404);
    await actorA.get(`/api/v1/organizations/${a.organizationId}`).expect(200);
    await actorA
      .get('/api/v1/organizations')
      .set('X-Organization-Id', b.organizationId)
      .expect(403);
  });

  it('is rate limited like login: the 11th request for one email within 15 minutes → 429', async () => {
    ensureRoomInRateLimitWindow(t.app, 900);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await t.http.post('/api/v1/auth/signup').send(signup('spam@example.test', `SPAM-${i}`)))
          .status,
      );
    }
    expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(statuses[10]).toBe(429);
  }, 30_000);
});
