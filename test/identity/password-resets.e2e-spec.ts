import { runCommand } from '../../src/cli/commands';
import { createUser } from '../factories/identity.factory';
import { login, Tokens } from '../support/auth';
import { queuedMail } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string }[];
}

/**
 * Every way a password is reset ends that user's sessions: the API's reset flow, the CLI's
 * `reset-admin-password` and `create-admin` on an existing user. `create-admin --if-missing` (what
 * `npm start` runs on every start) never touches an existing admin.
 */
describe('password resets end every session of the user', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const cli = async (...args: string[]): Promise<string[]> => {
    const lines: string[] = [];
    const [name, ...rest] = args;
    await runCommand(name, rest, t.config, (line) => lines.push(line));
    return lines;
  };
  const liveRefreshTokens = async (userId: string): Promise<number> =>
    Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL',
          [userId],
        )
      )[0].n,
    );
  const refreshStatus = async (tokens: Tokens): Promise<number> =>
    (await t.http.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken })).status;

  it('the API reset flow (request → mailed token → confirm) revokes the refresh tokens', async () => {
    const user = await createUser(t.dataSource);
    const before = await login(t, user.email, user.password);
    await t.http
      .post('/api/v1/auth/password-reset/request')
      .send({ email: user.email })
      .expect(202);
    const [mail] = await queuedMail(t, user.email);
    const token = new URL(mail.data.link).searchParams.get('token') as string;
    await t.http
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, newPassword: 'after-the-reset-1' })
      .expect(204);

    expect(await liveRefreshTokens(user.id)).toBe(0);
    expect(await refreshStatus(before)).toBe(401);
    await login(t, user.email, 'after-the-reset-1');
  });

  it('reset-admin-password prints a new password, revokes the sessions, and the old password stops working', async () => {
    const admin = await createUser(t.dataSource, {
      email: 'only-admin@example.test',
      isSuperuser: true,
    });
    const first = await login(t, admin.email, admin.password);
    const second = await login(t, admin.email, admin.password);
    expect(await liveRefreshTokens(admin.id)).toBe(2);

    const lines = await cli('reset-admin-password', '--email', 'ONLY-admin@example.test');
    expect(lines).toHaveLength(1);
    const match =
      /^reset-admin-password: only-admin@example\.test \/ (\S{20,}) \(2 session\(s\) ended\)$/.exec(
        lines[0],
      );
    expect(match).not.toBeNull();
    const generated = match![1];

    expect(await liveRefreshTokens(admin.id)).toBe(0);
    expect(await refreshStatus(first)).toBe(401);
    expect(await refreshStatus(second)).toBe(401);
    const old = await t.http
      .post('/api/v1/auth/login')
      .send({ email: admin.email, password: admin.password });
    expect(old.status).toBe(401);
    await login(t, admin.email, generated);

    // --password sets a chosen one (and never echoes it).
    const chosen = await cli(
      'reset-admin-password',
      '--email',
      admin.email,
      '--password',
      'a-chosen-password-9',
    );
    expect(chosen[0]).toBe(
      'reset-admin-password: only-admin@example.test / (the given password) (1 session(s) ended)',
    );
    await login(t, admin.email, 'a-chosen-password-9');
  });

  it('reset-admin-password refuses unknown emails, non-superusers, ambiguity and weak passwords, changing nothing', async () => {
    const member = await createUser(t.dataSource);
    const hashBefore = await t.dataSource.query<{ password_hash: string }[]>(
      'SELECT password_hash FROM users WHERE id = $1',
      [member.id],
    );
    await expect(cli('reset-admin-password', '--email', member.email)).rejects.toMatchObject({
      code: 'admin_not_found',
    });
    await expect(
      cli('reset-admin-password', '--email', 'nobody@example.test'),
    ).rejects.toMatchObject({ code: 'admin_not_found' });
    await createUser(t.dataSource, { isSuperuser: true }); // now there are several
    await expect(cli('reset-admin-password')).rejects.toMatchObject({ code: 'admin_ambiguous' });
    await expect(
      cli('reset-admin-password', '--email', 'only-admin@example.test', '--password', 'short'),
    ).rejects.toMatchObject({ code: 'weak_password' });
    expect(
      await t.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [member.id]),
    ).toEqual(hashBefore);
    await login(t, 'only-admin@example.test', 'a-chosen-password-9');
  });

  it('create-admin on an existing user resets and revokes; --if-missing leaves it exactly as it is', async () => {
    await cli('create-admin', '--email', 'boss@example.test', '--password', 'first-password-1');
    const [{ id }] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM users WHERE email = 'boss@example.test'`,
    );
    const session = await login(t, 'boss@example.test', 'first-password-1');

    const kept = await cli(
      'create-admin',
      '--email',
      'boss@example.test',
      '--password',
      'ignored-password-2',
      '--if-missing',
    );
    expect(kept).toEqual(['create-admin: exists boss@example.test']);
    expect(await liveRefreshTokens(id)).toBe(1);
    expect(
      (
        await t.http
          .post('/api/v1/auth/login')
          .send({ email: 'boss@example.test', password: 'ignored-password-2' })
      ).status,
    ).toBe(401);

    const reset = await cli(
      'create-admin',
      '--email',
      'boss@example.test',
      '--password',
      'second-password-3',
    );
    expect(reset).toEqual(['create-admin: reset boss@example.test']);
    expect(await liveRefreshTokens(id)).toBe(0);
    const refused = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: session.refreshToken })
      .expect(401);
    expect((refused.body as Envelope).errors[0].code).toBe('refresh_token_reused');
    await login(t, 'boss@example.test', 'second-password-3');
  });

  it('takes passwords that start with "-" after --password, as npm start passes a generated one', async () => {
    // base64url secrets start with "-" one time in 64; node's parseArgs called that "ambiguous".
    const created = await cli(
      'create-admin',
      '--email',
      'dash@example.test',
      '--password',
      '-dash-first-1',
      '--if-missing',
    );
    expect(created[0]).toMatch(/^create-admin: created dash@example\.test/);
    await login(t, 'dash@example.test', '-dash-first-1');

    await cli(
      'reset-admin-password',
      '--email',
      'dash@example.test',
      '--password',
      '--dash-second-2',
    );
    await login(t, 'dash@example.test', '--dash-second-2');
    await cli('create-admin', '--email=dash@example.test', '--password=-dash-third-3');
    await login(t, 'dash@example.test', '-dash-third-3');

    await expect(cli('create-admin', '--email', '--password', 'x-long-enough-1')).rejects.toThrow(
      /ambiguous/,
    );
  });
});
