import { randomUUID } from 'node:crypto';
import { actorFor, Actor, createTenant, login } from '../support/auth';
import { queuedMail } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';
import { addMembership, createUser } from '../factories/identity.factory';

/**
 * Reviewer probes (issue 14 finding 7): work started before an organization is archived must not
 * write into it after. Two paths bypass the HTTP guard: a queued import job processed by the
 * worker after the archive, and an invitation (public accept route) accepted after the archive.
 */
describe('archived organization: no writes through queued jobs or invitation accept', () => {
  let t: TestApp;
  let owner: Actor;
  let seq = 0;
  const code = (prefix = 'V') => `${prefix}-${Date.now().toString(36)}-${++seq}`;
  beforeAll(async () => {
    t = await createTestApp(); // no worker yet: jobs queued now are processed after the archive
    owner = await createTenant(t);
  }, 60_000);
  afterAll(async () => t.close());

  it('an import queued before the archive inserts nothing; an invitation issued before cannot be accepted', async () => {
    const node = (
      await owner
        .post('/api/v1/organizations')
        .send({ code: code(), name: 'Node', typeCode: 'branch' })
        .expect(201)
    ).body as { id: string; code: string; path: string };
    const user = await createUser(t.dataSource);
    await addMembership(t.dataSource, {
      userId: user.id,
      organizationId: node.id,
      roles: ['Owner'],
      isDefault: true,
    });
    const member = actorFor(t, user, node, await login(t, user.email, user.password));
    const roles = (await member.get('/api/v1/roles').expect(200)).body as {
      id: string;
      name: string;
    }[];
    const viewerRole = roles.find((r) => r.name === 'Viewer')?.id;
    const email = `inv-${randomUUID().slice(0, 8)}@example.test`;
    await member
      .post('/api/v1/invitations')
      .send({ email, roleIds: [viewerRole] })
      .expect(201);
    const imported = await member
      .post('/api/v1/imports?resource=products&mode=commit&onConflict=fail')
      .attach('file', Buffer.from(`sku,name,description,type\n${code('Q')},Queued,,goods\n`), {
        filename: 'p.csv',
        contentType: 'text/csv',
      })
      .expect(202);

    await owner.post(`/api/v1/organizations/${node.id}/archive`).expect(200);
    const products = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM products WHERE organization_id = $1',
          [node.id],
        )
      )[0].n;
    const memberships = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM memberships WHERE organization_id = $1',
          [node.id],
        )
      )[0].n;

    // 1. The queued import runs after the archive.
    await t.startWorker();
    const taskId = (imported.body as { taskId: string }).taskId;
    let task: { state: string; error?: { errors: { code: string }[] } | null } = { state: '' };
    for (let i = 0; i < 150; i++) {
      task = (await member.get(`/api/v1/tasks/${taskId}`).expect(200)).body as typeof task;
      if (task.state === 'completed' || task.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Failed once with the archive's code, not retried, nothing inserted.
    expect(task.state).toBe('failed');
    expect(task.error?.errors[0].code).toBe('organization_archived');
    const productsAfterJob = await products();

    // 2. The invitation is accepted after the archive (public route, no guard).
    const before = await memberships();
    const token = /token=([A-Za-z0-9_-]+)/.exec(JSON.stringify(await queuedMail(t, email)))?.[1];
    const accepted = await t.http
      .post(`/api/v1/invitations/${token}/accept`)
      .send({ password: 'my-first-password-1', fullName: 'Late' });
    expect(accepted.status).toBe(403);
    expect(accepted.body).toMatchObject({ errors: [{ code: 'organization_archived' }] });
    expect({ productsAfterJob, membershipsAdded: (await memberships()) - before }).toEqual({
      productsAfterJob: 0,
      membershipsAdded: 0,
    });
  }, 120_000);
});
