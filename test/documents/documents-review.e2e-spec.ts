import { randomBytes, randomUUID } from 'node:crypto';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/** Review of issue 20 (documents): what an attacker or a careless path could get past. */
interface Envelope {
  errors: { code: string }[];
}

const pdf = (text = randomBytes(8).toString('hex')) =>
  Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);

describe('documents: review', () => {
  let t: TestApp;
  let owner: Actor;
  let member: Actor;

  const upload = async (actor: Actor = owner, body = pdf()) =>
    (
      (await actor.post('/api/v1/files').attach('file', body, 'contract.pdf').expect(201)).body as {
        id: string;
      }
    ).id;
  const createDoc = async (actor: Actor = owner) =>
    (
      await actor
        .post('/api/v1/documents')
        .send({ title: `Contract ${randomUUID().slice(0, 6)}`, fileId: await upload() })
        .expect(201)
    ).body as { id: string; tags: string[] };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
  });
  afterAll(() => t.close());

  it('a share token (the credential of a public link) is in no log line', async () => {
    const doc = await createDoc();
    const { token } = (
      await owner
        .post(`/api/v1/documents/${doc.id}/share-links`)
        .send({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() })
        .expect(201)
    ).body as { token: string };
    await t.http.get(`/api/v1/shared/${token}`).expect(200);
    await t.http.get(`/api/v1/shared/${token}x`).expect(404);
    const logged = JSON.stringify(t.logs.lines());
    expect(logged).toContain('/api/v1/shared/[redacted]');
    expect(logged).not.toContain(token.slice(22));
  });

  it('a checked-out document’s tags cannot be replaced by someone else through PUT /taggings', async () => {
    const doc = await createDoc(member);
    await member.post(`/api/v1/documents/${doc.id}/checkout`).send({}).expect(200);
    const res = await owner.put(`/api/v1/taggings/document/${doc.id}`).send({ tags: ['sneaky'] });
    expect([res.status, (res.body as Envelope).errors?.[0]?.code]).toEqual([
      409,
      'document_locked',
    ]);
    const read = await owner.get(`/api/v1/documents/${doc.id}`).expect(200);
    expect((read.body as { tags: string[] }).tags).toEqual([]);
    // The holder may.
    await owner.post('/api/v1/tags').send({ name: 'mine' }).expect(201);
    await member
      .put(`/api/v1/taggings/document/${doc.id}`)
      .send({ tags: ['mine'] })
      .expect(200);
  });

  it('two concurrent crossing folder moves (A under B, B under A) never make a cycle', async () => {
    const folder = async () =>
      (
        await owner
          .post('/api/v1/folders')
          .send({ name: `F ${randomUUID().slice(0, 8)}` })
          .expect(201)
      ).body as { id: string };
    for (let round = 0; round < 5; round++) {
      const [a, b] = [await folder(), await folder()];
      const results = await Promise.all([
        owner.post(`/api/v1/folders/${a.id}/move`).send({ parentId: b.id }),
        owner.post(`/api/v1/folders/${b.id}/move`).send({ parentId: a.id }),
      ]);
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      // The loser is refused: 422 tree_cycle, or 409 when the database broke a deadlock.
      expect(results.map((r) => r.status).sort()).toEqual([200, expect.any(Number)]);
      expect([409, 422]).toContain(results.find((r) => r.status !== 200)?.status);
      const rows = await t.dataSource.query<{ id: string; parent_id: string | null }[]>(
        'SELECT id, parent_id FROM folders WHERE id = ANY($1)',
        [[a.id, b.id]],
      );
      expect(rows.filter((r) => r.parent_id !== null).length).toBeLessThanOrEqual(1);
    }
  });

  it('deleting a tag a document checked out by someone else carries is refused too (409) until check-in', async () => {
    const doc = await createDoc(member);
    const tag = (await owner.post('/api/v1/tags').send({ name: 'catalogue' }).expect(201)).body as {
      id: string;
    };
    await member
      .put(`/api/v1/taggings/document/${doc.id}`)
      .send({ tags: ['catalogue'] })
      .expect(200);
    await member.post(`/api/v1/documents/${doc.id}/checkout`).send({}).expect(200);
    const refused = await owner.delete(`/api/v1/tags/${tag.id}`);
    expect([refused.status, (refused.body as Envelope).errors?.[0]?.code]).toEqual([
      409,
      'document_locked',
    ]);
    await member.post(`/api/v1/documents/${doc.id}/checkin`).send({}).expect(200);
    await owner.delete(`/api/v1/tags/${tag.id}`).expect(204);
  });
});
