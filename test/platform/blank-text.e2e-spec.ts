import { randomUUID } from 'node:crypto';
import { createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Blank free text (only spaces, line breaks, zero-width characters) is refused with 422 at the
 * field and writes nothing — the kind behind stop 23's blank comment, through every input that
 * stores free text as typed. `src/core/text/free-text.guard.spec.ts` proves every DTO carries the
 * rule; this file proves the rule reaches HTTP on a route of each module that had the gap.
 */
const BLANKS = ['   ', '\n\t ', '\u200B\u200D\uFEFF', ' \u2060 '];

interface Envelope {
  errors: { code: string; detail: string; source?: { pointer?: string } }[];
}

describe('blank free text → 422, nothing written', () => {
  let t: TestApp;
  let owner: Actor;
  let productId: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    const res = await owner.post('/api/v1/products').send({
      sku: `B-${randomUUID().slice(0, 8)}`,
      name: 'Blank test',
      type: 'goods',
      uomCode: 'pc',
    });
    expect(res.status).toBe(201);
    productId = (res.body as { id: string }).id;
  });
  afterAll(() => t?.close());

  const count = async (table: string) =>
    (await t.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  const cases: {
    name: string;
    table: string;
    send: (blank: string) => Promise<{ status: number; body: unknown }>;
    field: string;
  }[] = [
    {
      name: 'activity summary',
      table: 'activities',
      field: 'summary',
      send: (blank) =>
        owner.post('/api/v1/activities').send({
          entityType: 'product',
          entityId: productId,
          type: 'call',
          summary: blank,
          dueDate: '2030-01-01',
        }),
    },
    {
      name: 'broadcast title',
      table: 'notifications',
      field: 'title',
      send: (blank) => owner.post('/api/v1/notifications/broadcast').send({ title: blank }),
    },
    {
      name: 'contact display name',
      table: 'contacts',
      field: 'displayName',
      send: (blank) => owner.post('/api/v1/contacts').send({ kind: 'person', displayName: blank }),
    },
    {
      name: 'chat room name',
      table: 'chat_rooms',
      field: 'name',
      send: (blank) => owner.post('/api/v1/chat-rooms').send({ name: blank }),
    },
  ];

  for (const c of cases)
    it(`${c.name}`, async () => {
      const before = await count(c.table);
      for (const blank of BLANKS) {
        const res = await c.send(blank);
        expect(res.status).toBe(422);
        const errors = (res.body as Envelope).errors;
        expect(errors.some((e) => e.detail.includes(`${c.field} must contain visible text`))).toBe(
          true,
        );
      }
      expect(await count(c.table)).toBe(before);
    });

  it('profile job title: blank refused, the stored profile unchanged', async () => {
    const set = await owner.patch('/api/v1/me/profile').send({ jobTitle: 'Buyer' });
    expect(set.status).toBe(200);
    for (const blank of BLANKS) {
      const res = await owner.patch('/api/v1/me/profile').send({ jobTitle: blank });
      expect(res.status).toBe(422);
    }
    const profile = await owner.get('/api/v1/me/profile');
    expect((profile.body as { jobTitle: string }).jobTitle).toBe('Buyer');
  });

  it('visible text with surrounding spaces is still accepted as typed', async () => {
    const res = await owner.post('/api/v1/activities').send({
      entityType: 'product',
      entityId: productId,
      type: 'call',
      summary: '  Call back  ',
      dueDate: '2030-01-01',
    });
    expect(res.status).toBe(201);
    expect((res.body as { summary: string }).summary).toBe('  Call back  ');
  });

  it('the OpenAPI document states the rule', async () => {
    const document = (await t.http.get('/docs-json')).body as {
      components: {
        schemas: Record<string, { properties: Record<string, { description?: string }> }>;
      };
    };
    expect(document.components.schemas.CreateActivityDto.properties.summary.description).toContain(
      'Must contain visible text',
    );
  });
});
