import { randomBytes, randomUUID } from 'node:crypto';
import { Actor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * A secret shown once (an API key, a webhook signing secret, a share-link token, session tokens)
 * never lands in `idempotency_keys`: creations replay with the secret set to null (nothing is
 * created twice), sign-in and 2FA answers ignore the key (each call issues fresh tokens).
 */
describe('secrets in answers and Idempotency-Key', () => {
  let t: TestApp;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp({ env: { WEBHOOK_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' } });
    owner = await createTenant(t);
  });
  afterAll(async () => t.close());

  /** Every stored answer of this key, as text. */
  const storedAnswers = async (key: string) =>
    (
      await t.dataSource.query<{ body: string | null }[]>(
        `SELECT response_body::text AS body FROM idempotency_keys WHERE key = $1`,
        [key],
      )
    ).map((row) => row.body ?? '');

  /** Sends `send` twice with one Idempotency-Key; returns both answers. */
  async function twice(path: string, body: object, status = 201) {
    const key = randomUUID();
    const first = await owner.post(path).set('Idempotency-Key', key).send(body).expect(status);
    const second = await owner.post(path).set('Idempotency-Key', key).send(body).expect(status);
    return { key, first: first.body as Record<string, unknown>, second };
  }

  it('an API key: replayed with key null, one key created, the secret stored nowhere', async () => {
    const [role] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Viewer'`,
    );
    const { key, first, second } = await twice('/api/v1/api-keys', {
      name: 'Scanner',
      roleId: role.id,
    });
    expect(first.key).toEqual(expect.any(String));
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual({ ...first, key: null });
    const [{ count }] = await t.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM api_keys WHERE organization_id = $1 AND name = 'Scanner'`,
      [owner.organization.id],
    );
    expect(count).toBe(1);
    const stored = await storedAnswers(key);
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(String(first.key));
  });

  it('a webhook subscription and its rotated secret: replayed without the secret', async () => {
    const created = await twice('/api/v1/webhook-subscriptions', {
      name: 'ERP sync',
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['product.created'],
    });
    expect(created.first.secret).toMatch(/^whsec_/);
    expect(created.second.body).toMatchObject({ id: created.first.id, secret: null });
    expect((await storedAnswers(created.key))[0]).not.toContain(String(created.first.secret));

    const rotated = await owner
      .post(`/api/v1/webhook-subscriptions/${String(created.first.id)}/rotate-secret`)
      .set('If-Match', '*')
      .set('Idempotency-Key', 'rotate-1')
      .expect(201);
    const secret = (rotated.body as { secret: string }).secret;
    expect(secret).toMatch(/^whsec_/);
    expect((await storedAnswers('rotate-1'))[0]).not.toContain(secret);
  });

  it('a document share link: replayed without its token or URL', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(200),
    ]);
    const file = (await owner.post('/api/v1/files').attach('file', png, 'a.png').expect(201))
      .body as { id: string };
    const document = (
      await owner
        .post('/api/v1/documents')
        .send({ title: 'Price list', fileId: file.id })
        .expect(201)
    ).body as { id: string };
    const { key, first, second } = await twice(`/api/v1/documents/${document.id}/share-links`, {
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(first.token).toEqual(expect.any(String));
    expect(second.body).toMatchObject({ id: first.id, token: null, url: null });
    const stored = (await storedAnswers(key))[0];
    expect(stored).not.toContain(String(first.token));
    const links = await t.dataSource.query<unknown[]>(
      'SELECT 1 FROM document_share_links WHERE document_id = $1',
      [document.id],
    );
    expect(links).toHaveLength(1);
  });

  it('sign-in and token refresh ignore the key: fresh tokens each time, nothing stored', async () => {
    const key = randomUUID();
    const signIn = () =>
      t.http
        .post('/api/v1/auth/login')
        .set('Idempotency-Key', key)
        .send({ email: owner.user.email, password: owner.user.password })
        .expect(200);
    const first = (await signIn()).body as { refreshToken: string };
    const second = await signIn();
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect((second.body as { refreshToken: string }).refreshToken).not.toBe(first.refreshToken);
    await t.http
      .post('/api/v1/auth/refresh')
      .set('Idempotency-Key', key)
      .send({ refreshToken: first.refreshToken })
      .expect(200);
    expect(await storedAnswers(key)).toEqual([]);
  });
});
