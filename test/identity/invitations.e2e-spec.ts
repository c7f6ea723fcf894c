import { randomUUID } from 'node:crypto';
import { createUser } from '../factories/identity.factory';
import { Actor, actorFor, addActor, createTenant, login } from '../support/auth';
import { startSmtpServer } from '../support/mail';
import { expectTenantIsolation } from '../support/tenant-isolation';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
interface Invitation {
  id: string;
  email: string;
  roleIds: string[];
  status: string;
  expiresAt: string;
  createdAt: string;
  organizationId: string;
  invitedBy: string;
  appliesToDescendants: boolean;
  acceptedAt: string | null;
  version: number;
}
const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0].code;
const pointers = (res: { body: unknown }) =>
  (res.body as Envelope).errors.map((e) => e.source?.pointer).sort();
const tokenIn = (text: string | undefined): string => {
  const match = /https?:\/\/\S+\/accept-invitation\?token=([A-Za-z0-9_-]+)/.exec(text ?? '');
  if (!match) throw new Error(`no invitation link in: ${text}`);
  return match[1];
};

/** Invitations (issue 13) end to end: queued mail rendered and delivered to a real SMTP server. */
describe('invitations', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let owner: Actor;
  let other: Actor;
  let roleIds: Record<string, string>;

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
    other = await createTenant(t);
    const roles = (await owner.get('/api/v1/roles').expect(200)).body as {
      id: string;
      name: string;
    }[];
    roleIds = Object.fromEntries(roles.map((r) => [r.name, r.id]));
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const invite = async (email: string, roles = [roleIds.Member]) =>
    (await owner.post('/api/v1/invitations').send({ email, roleIds: roles }).expect(201))
      .body as Invitation;
  const count = async (table: string) =>
    (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const audited = async (entityId: string) =>
    (
      await t.dataSource.query<{ action: string }[]>(
        'SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at, id',
        [entityId],
      )
    ).map((r) => r.action);
  const membershipOf = async (userId: string, organizationId: string) =>
    (
      await t.dataSource.query<{ id: string; roles: string[] }[]>(
        `SELECT m.id, array_agg(r.name ORDER BY r.name) AS roles FROM memberships m
           JOIN membership_roles mr ON mr.membership_id = m.id JOIN roles r ON r.id = mr.role_id
          WHERE m.user_id = $1 AND m.organization_id = $2 GROUP BY m.id`,
        [userId, organizationId],
      )
    )[0];

  it('answers the same for an existing, a foreign and an unknown email (no account oracle)', async () => {
    const foreign = await createUser(t.dataSource, {
      email: `foreign-${randomUUID()}@example.test`,
    });
    await other.get('/api/v1/roles').expect(200);
    const loner = await createUser(t.dataSource, { email: `loner-${randomUUID()}@example.test` });
    const unknown = `nobody-${randomUUID()}@example.test`;
    const answers = [];
    for (const email of [foreign.email, loner.email, unknown]) {
      const res = await owner
        .post('/api/v1/invitations')
        .send({ email, roleIds: [roleIds.Viewer] });
      answers.push({
        status: res.status,
        headers: Object.keys(res.headers).sort(),
        body: res.body,
      });
    }
    const shape = answers.map(({ status, headers, body }) => {
      const b = body as Invitation;
      return {
        status,
        headers: headers.filter((h) => !['date', 'x-request-id', 'location', 'etag'].includes(h)),
        keys: Object.keys(b).sort(),
        fixed: [b.status, b.roleIds, b.invitedBy, b.acceptedAt, b.version, b.appliesToDescendants],
      };
    });
    expect(shape[1]).toEqual(shape[0]);
    expect(shape[2]).toEqual(shape[0]);
    expect(shape[0].status).toBe(201);
    expect(shape[0].fixed).toEqual(['pending', [roleIds.Viewer], owner.user.id, null, 1, false]);
    const mails = await Promise.all(
      [foreign.email, loner.email, unknown].map((email) => smtp.waitFor(email)),
    );
    // The mail does not differ either: same template, the organization's language.
    expect(new Set(mails.map((m) => m.subject)).size).toBe(1);
  });

  it('a new person accepts with a password: account + membership with the roles; token single use; audited', async () => {
    const email = `new-${randomUUID().slice(0, 8)}@example.test`;
    const invitation = await invite(email);
    const [row] = await t.dataSource.query<{ token_hash: string; expires_at: Date }[]>(
      'SELECT token_hash, expires_at FROM invitations WHERE id = $1',
      [invitation.id],
    );
    const mail = await smtp.waitFor(email);
    expect(mail.subject).toMatch(/invited you to join .+ on Alees$/);
    const token = tokenIn(mail.text);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toContain(token);
    const days = (row.expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const accepted = await t.http
      .post(`/api/v1/invitations/${token}/accept`)
      .send({ password: 'my-first-password-1', fullName: 'New Person' })
      .expect(200);
    const result = accepted.body as {
      userId: string;
      membershipId: string;
      accountCreated: boolean;
    };
    expect(result).toMatchObject({ organizationId: owner.organization.id, accountCreated: true });
    const tokens = await login(t, email, 'my-first-password-1');
    const me = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
      .expect(200);
    expect(JSON.stringify(me.body)).toContain(owner.organization.id);
    expect((await membershipOf(result.userId, owner.organization.id)).roles).toEqual(['Member']);

    const again = await t.http
      .post(`/api/v1/invitations/${token}/accept`)
      .send({ password: 'another-password-2', fullName: 'Again' })
      .expect(404);
    expect(codeOf(again)).toBe('not_found');
    expect(
      (await owner.get(`/api/v1/invitations/${invitation.id}`).expect(200)).body,
    ).toMatchObject({ status: 'accepted' });
    expect(await audited(invitation.id)).toEqual(['create', 'accept']);
    expect(await audited(result.userId)).toEqual(expect.arrayContaining(['create']));
    expect(await audited(result.membershipId)).toEqual(['create']);
  });

  it('an existing account accepts signed in, as the invited address only', async () => {
    const elsewhere = await createTenant(t, { roles: ['Member'] });
    const invitation = await invite(elsewhere.user.email.toUpperCase(), [roleIds.Viewer]);
    expect(invitation.email).toBe(elsewhere.user.email);
    const token = tokenIn((await smtp.waitFor(elsewhere.user.email)).text);
    const stranger = await addActor(t, other.organization, ['Member']);
    const users = await count('users');

    // Anonymous: the account exists, so sign in first (the token holder owns the mailbox).
    const anonymous = await t.http
      .post(`/api/v1/invitations/${token}/accept`)
      .send({ password: 'whatever-password', fullName: 'Who' })
      .expect(409);
    expect(codeOf(anonymous)).toBe('account_exists');
    // Another person's token: 403; an API key: 403 user_required.
    expect(
      codeOf(
        await t.http
          .post(`/api/v1/invitations/${token}/accept`)
          .set('Authorization', `Bearer ${stranger.tokens.accessToken}`)
          .send({})
          .expect(403),
      ),
    ).toBe('invitation_email_mismatch');
    const key = (
      (await other.post('/api/v1/api-keys').send({ name: 'k', roleId: roleIds.Owner }).expect(201))
        .body as { key: string }
    ).key;
    expect(
      codeOf(
        await t.http
          .post(`/api/v1/invitations/${token}/accept`)
          .set('X-API-Key', key)
          .send({})
          .expect(403),
      ),
    ).toBe('user_required');
    expect(await count('users')).toBe(users);
    expect(await membershipOf(elsewhere.user.id, owner.organization.id)).toBeUndefined();

    const accepted = await t.http
      .post(`/api/v1/invitations/${token}/accept`)
      .set('Authorization', `Bearer ${elsewhere.tokens.accessToken}`)
      .send({})
      .expect(200);
    expect(accepted.body).toMatchObject({ accountCreated: false, userId: elsewhere.user.id });
    expect((await membershipOf(elsewhere.user.id, owner.organization.id)).roles).toEqual([
      'Viewer',
    ]);
    // Their default organization stays theirs; the new one is reachable with the header.
    const asInvitee = actorFor(t, elsewhere.user, owner.organization, elsewhere.tokens);
    await asInvitee.get('/api/v1/products').expect(200);
    await elsewhere.get('/api/v1/products').expect(200);
    // Inviting a member again: 409 already_member (about this organization's own members only).
    const again = await owner
      .post('/api/v1/invitations')
      .send({ email: elsewhere.user.email, roleIds: [roleIds.Viewer] })
      .expect(409);
    expect(codeOf(again)).toBe('already_member');
  });

  it('two accepts of one token at once: exactly one wins', async () => {
    const email = `race-${randomUUID().slice(0, 8)}@example.test`;
    await invite(email);
    const token = tokenIn((await smtp.waitFor(email)).text);
    const results = await Promise.all(
      [1, 2].map((n) =>
        t.http
          .post(`/api/v1/invitations/${token}/accept`)
          .send({ password: `race-password-${n}-long`, fullName: `Racer ${n}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
    const rows = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM users WHERE email = $1',
      [email],
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuses expired, revoked and replaced tokens; nothing written', async () => {
    const email = `late-${randomUUID().slice(0, 8)}@example.test`;
    const first = await invite(email);
    const firstToken = tokenIn((await smtp.waitFor(email)).text);
    await t.dataSource.query(
      `UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [first.id],
    );
    const users = await count('users');
    const expired = await t.http
      .post(`/api/v1/invitations/${firstToken}/accept`)
      .send({ password: 'my-first-password-1', fullName: 'Late' })
      .expect(404);
    expect(codeOf(expired)).toBe('not_found');
    expect(await count('users')).toBe(users);
    // Not listed as pending any more.
    const pending = (await owner.get('/api/v1/invitations?size=100').expect(200)).body as {
      items: Invitation[];
    };
    expect(pending.items.map((i) => i.id)).not.toContain(first.id);

    // Re-inviting replaces a pending invitation: the older link stops working.
    const other1 = `twice-${randomUUID().slice(0, 8)}@example.test`;
    const older = await invite(other1);
    await smtp.waitFor(other1);
    const olderToken = tokenIn(
      smtp.received.find((m) => JSON.stringify(m.to).includes(other1))!.text,
    );
    const newer = await invite(other1);
    expect((await owner.get(`/api/v1/invitations/${older.id}`).expect(200)).body).toMatchObject({
      status: 'revoked',
    });
    await t.http
      .post(`/api/v1/invitations/${olderToken}/accept`)
      .send({ password: 'my-first-password-1', fullName: 'Twice' })
      .expect(404);

    // Revoked: 204, then the link is dead and the invitation is no longer pending.
    await owner.delete(`/api/v1/invitations/${newer.id}`).expect(204);
    await owner.delete(`/api/v1/invitations/${newer.id}`).expect(404);
    expect(await audited(newer.id)).toEqual(['create', 'revoke']);
    expect(await count('users')).toBe(users);
  });

  it('422 with pointers and nothing written; 403 without permission; another tenant 404', async () => {
    const before = await count('invitations');
    const bad = await owner
      .post('/api/v1/invitations')
      .send({ email: 'nope', roleIds: [], appliesToDescendants: 'yes' })
      .expect(422);
    expect(pointers(bad)).toEqual(['/appliesToDescendants', '/email', '/roleIds']);
    const theirs = (
      (
        await other
          .post('/api/v1/roles')
          .send({ name: `Theirs ${Date.now()}`, permissions: [] })
          .expect(201)
      ).body as { id: string }
    ).id;
    const foreignRole = await owner
      .post('/api/v1/invitations')
      .send({ email: 'x@example.test', roleIds: [theirs] })
      .expect(422);
    expect([codeOf(foreignRole), pointers(foreignRole)]).toEqual(['unknown_role', ['/roleIds']]);
    const missing = await t.http
      .post(`/api/v1/invitations/${'a'.repeat(43)}/accept`)
      .send({ password: 'short' })
      .expect(422);
    expect(pointers(missing)).toEqual(['/password']);
    const anonymousEmpty = await t.http
      .post(`/api/v1/invitations/${'a'.repeat(43)}/accept`)
      .send({})
      .expect(422);
    expect(pointers(anonymousEmpty)).toEqual(['/fullName', '/password']);
    expect(await count('invitations')).toBe(before);

    const member = await addActor(t, owner.organization, ['Member']);
    await member
      .post('/api/v1/invitations')
      .send({ email: 'y@example.test', roleIds: [roleIds.Viewer] })
      .expect(403);
    await member.get('/api/v1/invitations').expect(403);
    const viewer = await addActor(t, owner.organization, ['Viewer']);
    await viewer.get('/api/v1/invitations').expect(403);
    expect(await count('invitations')).toBe(before);

    await expectTenantIsolation(
      {
        create: async (a) =>
          (
            (
              await a
                .post('/api/v1/invitations')
                .send({ email: `iso-${randomUUID()}@example.test`, roleIds: [roleIds.Viewer] })
                .expect(201)
            ).body as Invitation
          ).id,
        itemUrl: (id) => `/api/v1/invitations/${id}`,
        listUrl: '/api/v1/invitations?size=100',
        deletable: true,
      },
      owner,
      other,
    );
  });

  it('speaks the organization’s language (never the account’s)', async () => {
    await owner
      .patch(`/api/v1/organizations/${owner.organization.id}`)
      .send({ language: 'fr' })
      .expect(200);
    const email = `fr-${randomUUID().slice(0, 8)}@example.test`;
    await invite(email);
    const mail = await smtp.waitFor(email);
    expect(mail.subject).toMatch(/vous invite à rejoindre .+ sur Alees$/);
    expect(mail.text).toContain(
      'Accepter l’invitation : https://erp.example.test/accept-invitation?token=',
    );
    await owner
      .patch(`/api/v1/organizations/${owner.organization.id}`)
      .send({ language: 'en' })
      .expect(200);
  });
});
