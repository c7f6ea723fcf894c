import { authenticator } from 'otplib';
import { Clock } from '../../src/core/clock';
import { createUser, DEFAULT_PASSWORD } from '../factories/identity.factory';
import { Actor, createTenant, login } from '../support/auth';
import { queuedMail } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; source?: { pointer?: string } }[];
}
const code = (res: { body: unknown }) => (res.body as Envelope).errors?.[0]?.code;

/** A JWT signed with `alg: none`, or with another key: both must be refused. */
function unsignedToken(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub, jti: 'x', typ: 'access', iat: now, exp: now + 600 })}.`;
}

describe('auth', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
  });
  afterAll(async () => t.close());
  afterEach(() => t.app.get(Clock).reset());

  const auditCount = async (action: string, entityId: string) =>
    Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM audit_logs WHERE action = $1 AND entity_id = $2',
          [action, entityId],
        )
      )[0].n,
    );

  describe('login', () => {
    it('returns access + refresh tokens and audits the success', async () => {
      const user = await createUser(t.dataSource);
      const res = await t.http
        .post('/api/v1/auth/login')
        .send({ email: user.email.toUpperCase(), password: user.password })
        .expect(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      const [, payload] = (res.body as { accessToken: string }).accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      expect(claims).toMatchObject({ sub: user.id, typ: 'access' });
      expect(claims.jti).toEqual(expect.any(String));
      expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
      expect(await auditCount('login.success', user.id)).toBe(1);
    });

    it('answers the same 401 for an unknown email and a wrong password', async () => {
      const user = await createUser(t.dataSource);
      const unknown = await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'nobody@example.test', password: 'whatever-password' })
        .expect(401);
      const wrong = await t.http
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: 'wrong-password-123' })
        .expect(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(code(wrong)).toBe('invalid_credentials');
      expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(await auditCount('login.failure', user.id)).toBe(1);
    });

    it('422 on bad input, nothing audited', async () => {
      const res = await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'not-an-email', password: '' })
        .expect(422);
      expect((res.body as Envelope).errors.map((e) => e.source?.pointer).sort()).toEqual([
        '/email',
        '/password',
      ]);
    });

    it('locks after 5 failures for 15 minutes, even for the right password, then unlocks', async () => {
      const user = await createUser(t.dataSource);
      for (let i = 0; i < 5; i++) {
        await t.http
          .post('/api/v1/auth/login')
          .send({ email: user.email, password: 'wrong-password-123' })
          .expect(401);
      }
      const locked = await t.http
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(401);
      expect(code(locked)).toBe('invalid_credentials');
      const [row] = await t.dataSource.query<{ locked_until: Date }[]>(
        'SELECT locked_until FROM users WHERE id = $1',
        [user.id],
      );
      expect(row.locked_until).not.toBeNull();

      t.app.get(Clock).advance(15 * 60_000 + 1_000);
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);
      const [after] = await t.dataSource.query<
        { locked_until: Date | null; failed_login_count: number }[]
      >('SELECT locked_until, failed_login_count FROM users WHERE id = $1', [user.id]);
      expect(after).toEqual({ locked_until: null, failed_login_count: 0 });
    });
  });

  describe('tokens', () => {
    it('refresh rotates; reusing the old refresh token revokes the whole family', async () => {
      const user = await createUser(t.dataSource);
      const first = await login(t, user.email, user.password);
      const second = (
        await t.http
          .post('/api/v1/auth/refresh')
          .send({ refreshToken: first.refreshToken })
          .expect(200)
      ).body as typeof first;
      expect(second.refreshToken).not.toBe(first.refreshToken);

      const reuse = await t.http
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: first.refreshToken })
        .expect(401);
      expect(code(reuse)).toBe('refresh_token_reused');
      // The thief's reuse also killed the legitimate newer token.
      await t.http
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: second.refreshToken })
        .expect(401);
      const rows = await t.dataSource.query<{ revoked_at: Date | null }[]>(
        'SELECT revoked_at FROM refresh_tokens WHERE user_id = $1',
        [user.id],
      );
      expect(rows.length).toBe(2);
      expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
    });

    it('logout ends the refresh token', async () => {
      const user = await createUser(t.dataSource);
      const tokens = await login(t, user.email, user.password);
      await t.http
        .post('/api/v1/auth/logout')
        .send({ refreshToken: tokens.refreshToken })
        .expect(204);
      await t.http
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: tokens.refreshToken })
        .expect(401);
    });

    it('refuses missing, forged, alg:none, expired and refresh-as-access tokens with 401 + WWW-Authenticate', async () => {
      const tokens = owner.tokens;
      const forged = `${tokens.accessToken.slice(0, -4)}AAAA`;
      for (const authorization of [
        undefined,
        'Bearer garbage',
        `Bearer ${forged}`,
        `Bearer ${unsignedToken(owner.user.id)}`,
        `Bearer ${tokens.refreshToken}`,
      ]) {
        const request = t.http.get('/api/v1/auth/me');
        if (authorization) void request.set('Authorization', authorization);
        const res = await request.expect(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      const user = await createUser(t.dataSource);
      const fresh = await login(t, user.email, user.password);
      // Used once first: the verified token is then kept in the process (TokenService), and its
      // expiry must still be checked on every use — twice: the kept entry, then a fresh verify.
      await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${fresh.accessToken}`)
        .expect(200);
      t.app.get(Clock).advance(16 * 60_000);
      for (let i = 0; i < 2; i += 1) {
        const res = await t.http
          .get('/api/v1/auth/me')
          .set('Authorization', `Bearer ${fresh.accessToken}`)
          .expect(401);
        expect(res.body).toMatchObject({ errors: [{ code: 'invalid_token', status: '401' }] });
      }
      // A forged variant of a token already kept is checked on its own, not by its prefix.
      const tampered = `${fresh.accessToken.slice(0, -2)}${fresh.accessToken.endsWith('A') ? 'BB' : 'AA'}`;
      await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${tampered}`).expect(401);
    });
  });

  describe('me and the active organization', () => {
    it('returns the user, memberships and effective permissions of the active org', async () => {
      const res = await owner.get('/api/v1/auth/me').expect(200);
      expect(res.body).toMatchObject({
        id: owner.user.id,
        email: owner.user.email,
        activeOrganizationId: owner.organization.id,
        memberships: [{ organizationId: owner.organization.id, roles: ['Owner'], isDefault: true }],
      });
      expect((res.body as { permissions: string[] }).permissions).toContain('organizations:update');
      expect(JSON.stringify(res.body)).not.toMatch(/passwordHash|totpSecret/);
    });

    it('X-Organization-Id of an organization the caller does not belong to → 403', async () => {
      const other = await createTenant(t);
      const res = await owner
        .get('/api/v1/auth/me')
        .set('X-Organization-Id', other.organization.id)
        .expect(403);
      expect(code(res)).toBe('organization_forbidden');
      await owner.get('/api/v1/auth/me').set('X-Organization-Id', 'not-a-uuid').expect(403);
    });
  });

  describe('passwords', () => {
    it('change: wrong current password → 422; success ends old sessions', async () => {
      const tenant = await createTenant(t);
      const bad = await tenant
        .post('/api/v1/auth/password')
        .send({ currentPassword: 'nope', newPassword: 'a-brand-new-password' })
        .expect(422);
      expect((bad.body as Envelope).errors[0].source?.pointer).toBe('/currentPassword');
      await tenant
        .post('/api/v1/auth/password')
        .send({ currentPassword: DEFAULT_PASSWORD, newPassword: 'short' })
        .expect(422);
      await tenant
        .post('/api/v1/auth/password')
        .send({ currentPassword: DEFAULT_PASSWORD, newPassword: 'a-brand-new-password' })
        .expect(204);
      await t.http
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: tenant.tokens.refreshToken })
        .expect(401);
      await login(t, tenant.user.email, 'a-brand-new-password');
      expect(await auditCount('password.change', tenant.user.id)).toBe(1);
    });

    it('reset: same 202 for unknown emails; the mailed single-use token sets a new password', async () => {
      const user = await createUser(t.dataSource);
      await t.http
        .post('/api/v1/auth/password-reset/request')
        .send({ email: 'nobody@example.test' })
        .expect(202);
      await t.http
        .post('/api/v1/auth/password-reset/request')
        .send({ email: user.email })
        .expect(202);
      expect(await queuedMail(t, 'nobody@example.test')).toEqual([]);
      const [mail] = await queuedMail(t, user.email);
      expect(mail).toMatchObject({ template: 'password-reset', language: 'en' });
      const token = new URL(mail.data.link).searchParams.get('token') as string;
      expect(token).toBeTruthy();
      await t.http
        .post('/api/v1/auth/password-reset/confirm')
        .send({ token, newPassword: 'reset-password-123' })
        .expect(204);
      await login(t, user.email, 'reset-password-123');
      const again = await t.http
        .post('/api/v1/auth/password-reset/confirm')
        .send({ token, newPassword: 'another-password-1' })
        .expect(422);
      expect(code(again)).toBe('invalid_reset_token');
    });
  });

  describe('two-factor authentication', () => {
    it('enrol → verify → login needs the code → recovery code works once → disable', async () => {
      const tenant = await createTenant(t);
      const enrol = await tenant.post('/api/v1/auth/2fa/enrol').expect(201);
      const { secret, otpauthUrl } = enrol.body as { secret: string; otpauthUrl: string };
      expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
      await tenant.post('/api/v1/auth/2fa/verify').send({ code: '000000' }).expect(422);
      const verified = await tenant
        .post('/api/v1/auth/2fa/verify')
        .send({ code: authenticator.generate(secret) })
        .expect(200);
      const { recoveryCodes } = verified.body as { recoveryCodes: string[] };
      expect(recoveryCodes).toHaveLength(10);

      const noCode = await t.http
        .post('/api/v1/auth/login')
        .send({ email: tenant.user.email, password: DEFAULT_PASSWORD })
        .expect(401);
      expect(code(noCode)).toBe('totp_required');
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: tenant.user.email, password: DEFAULT_PASSWORD, totpCode: '000000' })
        .expect(401);
      await login(t, tenant.user.email, DEFAULT_PASSWORD, {
        totpCode: authenticator.generate(secret),
      });
      await login(t, tenant.user.email, DEFAULT_PASSWORD, { recoveryCode: recoveryCodes[0] });
      await t.http
        .post('/api/v1/auth/login')
        .send({
          email: tenant.user.email,
          password: DEFAULT_PASSWORD,
          recoveryCode: recoveryCodes[0],
        })
        .expect(401);

      await tenant
        .post('/api/v1/auth/2fa/disable')
        .send({ code: authenticator.generate(secret) })
        .expect(204);
      await login(t, tenant.user.email, DEFAULT_PASSWORD);
    });

    it('stores the TOTP secret sealed, bound to its user: a copied row opens nowhere else', async () => {
      const alice = await createTenant(t);
      const bob = await createTenant(t);
      const enrol = async (who: typeof alice) => {
        const { secret } = (await who.post('/api/v1/auth/2fa/enrol').expect(201)).body as {
          secret: string;
        };
        await who
          .post('/api/v1/auth/2fa/verify')
          .send({ code: authenticator.generate(secret) })
          .expect(200);
        return secret;
      };
      const aliceSecret = await enrol(alice);
      await enrol(bob);
      const stored = async (id: string) =>
        (
          await t.dataSource.query<{ totp_secret: string }[]>(
            'SELECT totp_secret FROM users WHERE id = $1',
            [id],
          )
        )[0].totp_secret;
      // A database dump shows a ciphertext, not the base32 secret.
      expect(await stored(alice.user.id)).toMatch(/^sealed:v1\./);
      expect(await stored(alice.user.id)).not.toContain(aliceSecret);

      // Someone able to write the table copies Alice's sealed secret into Bob's row, hoping to
      // sign in as Bob with codes from Alice's app: the value does not open for Bob (fail closed).
      await t.dataSource.query('UPDATE users SET totp_secret = $2 WHERE id = $1', [
        bob.user.id,
        await stored(alice.user.id),
      ]);
      const refused = await t.http.post('/api/v1/auth/login').send({
        email: bob.user.email,
        password: DEFAULT_PASSWORD,
        totpCode: authenticator.generate(aliceSecret),
      });
      expect(refused.status).toBe(401);
      await login(t, alice.user.email, DEFAULT_PASSWORD, {
        totpCode: authenticator.generate(aliceSecret),
      });
    });
  });
});
