import { randomUUID } from 'node:crypto';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Entry {
  id: string;
  kind: string;
  at: string;
  actorUserId: string | null;
  data: Record<string, unknown>;
}
interface TimelinePage {
  items: Entry[];
  nextCursor?: string;
}
interface Envelope {
  errors: { code: string; source?: { parameter?: string; pointer?: string } }[];
}

describe('GET /timeline/{entityType}/{entityId} (SPEC-P3 §3)', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;
  let productId: string;
  let otherProductId: string;

  const createProduct = async (actor: Actor) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `TL-${randomUUID().slice(0, 8)}`,
      name: 'Earl Grey',
      type: 'goods',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };
  const uploadFile = async (actor: Actor, name: string) => {
    const res = await actor.post('/api/v1/files').attach('file', Buffer.from(`hello ${name}\n`), {
      filename: name,
      contentType: 'text/plain',
    });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };
  const all = async (actor: Actor, url: string, limit: number) => {
    const pages: Entry[][] = [];
    let next: string | undefined;
    do {
      const res = await actor
        .get(`${url}?limit=${limit}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`)
        .expect(200);
      const body = res.body as TimelinePage;
      expect(body.items.length).toBeLessThanOrEqual(limit);
      pages.push(body.items);
      next = body.nextCursor;
    } while (next && pages.length < 50);
    return pages;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
    productId = await createProduct(owner);
    for (const name of ['Earl Grey 2', 'Earl Grey 3', 'Earl Grey 4']) {
      await owner.patch(`/api/v1/products/${productId}`).send({ name }).expect(200);
    }
    const attached = await uploadFile(owner, 'spec.txt');
    await owner
      .post('/api/v1/attachments')
      .send({ fileId: attached, entityType: 'product', entityId: productId })
      .expect(201);
    // Three more attachments sharing one timestamp with the product's creation (its audit row):
    // ties across sources and inside one source, which only the id can order.
    const [created] = await t.dataSource.query<{ created_at: Date }[]>(
      `SELECT created_at FROM audit_logs WHERE entity_type = 'product' AND entity_id = $1 AND action = 'create'`,
      [productId],
    );
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      const fileId = await uploadFile(owner, name);
      await t.dataSource.query(
        `INSERT INTO attachments (organization_id, file_id, entity_type, entity_id, created_by, created_at)
         SELECT organization_id, $2, 'product', $3::uuid, $4, created_at FROM audit_logs
          WHERE entity_type = 'product' AND entity_id = $3::text AND action = 'create' AND organization_id = $1`,
        [owner.organization.id, fileId, productId, owner.user.id],
      );
    }
    expect(created).toBeDefined();
    otherProductId = await createProduct(other);
  });
  afterAll(async () => t.close());

  it('merges field changes and attachments newest first, with their data', async () => {
    const res = await owner.get(`/api/v1/timeline/product/${productId}`).expect(200);
    const body = res.body as TimelinePage;
    expect(body.nextCursor).toBeUndefined();
    expect(body.items).toHaveLength(8);
    expect(body.items.slice(0, 4).map((e) => e.kind)).toEqual([
      'attachment',
      'field_change',
      'field_change',
      'field_change',
    ]);
    expect(body.items[0]).toMatchObject({
      kind: 'attachment',
      actorUserId: owner.user.id,
      data: { name: 'spec.txt', contentType: 'text/plain' },
    });
    expect(body.items[1]).toMatchObject({
      kind: 'field_change',
      actorUserId: owner.user.id,
      data: { action: 'update', changes: { name: { from: 'Earl Grey 3', to: 'Earl Grey 4' } } },
    });
    const tied = body.items.slice(4);
    expect(new Set(tied.map((e) => e.at)).size).toBe(1);
    expect(tied.map((e) => e.kind).sort()).toEqual([
      'attachment',
      'attachment',
      'attachment',
      'field_change',
    ]);
    expect(tied.map((e) => e.id)).toEqual([...tied.map((e) => e.id)].sort().reverse());
    // Newest first overall.
    const ats = body.items.map((e) => e.at);
    expect(ats).toEqual([...ats].sort().reverse());
  });

  it('pages with a stable cursor: every page size gives the same entries, no duplicates, no gaps', async () => {
    const whole = (
      (await owner.get(`/api/v1/timeline/product/${productId}`).expect(200)).body as TimelinePage
    ).items.map((e) => e.id);
    for (const limit of [1, 2, 3, 5]) {
      const pages = await all(owner, `/api/v1/timeline/product/${productId}`, limit);
      expect({ limit, ids: pages.flat().map((e) => e.id) }).toEqual({ limit, ids: whole });
    }
  });

  it('limit and cursor are checked: 422', async () => {
    const url = `/api/v1/timeline/product/${productId}`;
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?cursor=forged.cursor']) {
      const res = await owner.get(`${url}${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 422 });
    }
    // A list cursor of another resource is not a timeline cursor.
    const list = await owner.get('/api/v1/audit-logs?size=1').expect(200);
    const foreign = (list.body as { nextCursor?: string }).nextCursor;
    expect(foreign).toEqual(expect.any(String));
    const res = await owner.get(`${url}?cursor=${encodeURIComponent(foreign!)}`);
    expect(res.status).toBe(422);
    expect((res.body as Envelope).errors[0]).toMatchObject({
      code: 'validation_error',
      source: { parameter: 'cursor' },
    });
  });

  it('another tenant’s record, an unknown type or id: 404, and nothing of another tenant appears', async () => {
    for (const url of [
      `/api/v1/timeline/product/${otherProductId}`,
      `/api/v1/timeline/gadget/${productId}`,
      `/api/v1/timeline/product/${randomUUID()}`,
    ]) {
      const res = await owner.get(url);
      expect({ url, status: res.status, code: (res.body as Envelope).errors[0]?.code }).toEqual({
        url,
        status: 404,
        code: 'not_found',
      });
    }
    const mine = await other.get(`/api/v1/timeline/product/${otherProductId}`).expect(200);
    const ids = (mine.body as TimelinePage).items.map((e) => e.id);
    const ownerIds = (
      (await owner.get(`/api/v1/timeline/product/${productId}`).expect(200)).body as TimelinePage
    ).items.map((e) => e.id);
    expect(ids.filter((id) => ownerIds.includes(id))).toEqual([]);
    expect((await other.get(`/api/v1/timeline/product/${productId}`)).status).toBe(404);
  });

  it('no timeline:read is 403; timeline:read without the record’s read permission is 404', async () => {
    const roleless = await addActor(t, owner.organization, []);
    expect((await roleless.get(`/api/v1/timeline/product/${productId}`)).status).toBe(403);
    await owner
      .post('/api/v1/roles')
      .send({ name: 'Historian', permissions: ['timeline:read'] })
      .expect(201);
    const historian = await addActor(t, owner.organization, ['Historian']);
    const res = await historian.get(`/api/v1/timeline/product/${productId}`);
    expect(res.status).toBe(404);
  });

  it('attachments need files:read too: without it only field changes are listed', async () => {
    await owner
      .post('/api/v1/roles')
      .send({ name: 'Product reader', permissions: ['timeline:read', 'products:read'] })
      .expect(201);
    const reader = await addActor(t, owner.organization, ['Product reader']);
    const res = await reader.get(`/api/v1/timeline/product/${productId}`).expect(200);
    const kinds = new Set((res.body as TimelinePage).items.map((e) => e.kind));
    expect(kinds).toEqual(new Set(['field_change']));
  });
});
