import { randomUUID } from 'node:crypto';
import type { Actor } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { createTestApp, TestApp } from '../support/test-app';

interface Contact {
  id: string;
  emails: { email: string; isPrimary: boolean }[];
  phones: { number: string; isPrimary: boolean }[];
  addresses: { city: string; isPrimary: boolean }[];
  version: number;
}

const ada = () => ({
  kind: 'person',
  displayName: `Ada ${randomUUID().slice(0, 8)}`,
  firstName: 'Ada',
  lastName: 'Lovelace',
  tags: ['vip', 'eu'],
  emails: [{ email: 'ada@example.com', label: 'work' }, { email: 'ada@home.example' }],
  phones: [{ number: '+44 20 7946 0958' }],
  addresses: [{ line1: '12 St James Square', city: 'London', countryCode: 'GB', isPrimary: true }],
});

describe('contacts', () => {
  let t: TestApp;
  let actors: ContractActors;
  let owner: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    actors = await tenantActors(t);
    owner = actors.writer;
  });
  afterAll(async () => t.close());

  describeResourceContract(() => actors, {
    url: '/api/v1/contacts',
    table: 'contacts',
    auditType: 'contact',
    create: ada,
    invalid: {
      body: {
        kind: 'robot',
        displayName: '',
        emails: [{ email: 'not-an-email' }],
        addresses: [{ line1: 'x', city: 'y', countryCode: 'gbr' }],
      },
      pointers: ['/kind', '/displayName', '/emails/0/email', '/addresses/0/countryCode'],
    },
    update: {
      body: { companyName: 'Analytical Engines Ltd', phones: [] },
      expect: { companyName: 'Analytical Engines Ltd', phones: [] },
    },
    listFilter: () => '?tag=vip',
  });

  it('keeps exactly one primary email, phone and address', async () => {
    const created = (await owner.post('/api/v1/contacts').send(ada()).expect(201)).body as Contact;
    expect(created.emails.map((e) => e.isPrimary)).toEqual([true, false]);
    expect(created.phones.map((p) => p.isPrimary)).toEqual([true]);
    expect(created.addresses.map((a) => a.isPrimary)).toEqual([true]);

    const two = await owner.patch(`/api/v1/contacts/${created.id}`).send({
      emails: [
        { email: 'a@example.com', isPrimary: true },
        { email: 'b@example.com', isPrimary: true },
      ],
    });
    expect(two.status).toBe(422);
    expect(two.body).toMatchObject({
      errors: [{ code: 'multiple_primary', source: { pointer: '/emails' } }],
    });

    const switched = await owner.patch(`/api/v1/contacts/${created.id}`).send({
      emails: [{ email: 'a@example.com' }, { email: 'b@example.com', isPrimary: true }],
    });
    expect((switched.body as Contact).emails).toEqual([
      { email: 'a@example.com', label: '', isPrimary: false },
      { email: 'b@example.com', label: '', isPrimary: true },
    ]);

    // The database refuses a second primary or none, whatever the code does.
    await expect(
      t.dataSource.query(`UPDATE contact_emails SET is_primary = true WHERE contact_id = $1`, [
        created.id,
      ]),
    ).rejects.toThrow(/uq_contact_emails_primary/);
    await expect(
      t.dataSource.query(`UPDATE contact_emails SET is_primary = false WHERE contact_id = $1`, [
        created.id,
      ]),
    ).rejects.toThrow(/exactly one primary/);
  });

  it('searches names and emails with q, filters by kind and category', async () => {
    const category = await owner
      .post('/api/v1/categories')
      .send({ type: 'contact', name: `Suppliers ${randomUUID().slice(0, 6)}` })
      .expect(201);
    const categoryId = (category.body as { id: string }).id;
    const company = await owner
      .post('/api/v1/contacts')
      .send({
        kind: 'company',
        displayName: 'Babbage Gears',
        categoryId,
        emails: [{ email: 'orders@gears.example' }],
      })
      .expect(201);
    const id = (company.body as Contact).id;
    const ids = async (query: string) =>
      (
        (await owner.get(`/api/v1/contacts${query}`).expect(200)).body as { items: Contact[] }
      ).items.map((c) => c.id);
    expect(await ids('?q=gears.example')).toEqual([id]);
    expect(await ids(`?categoryId=${categoryId}`)).toEqual([id]);
    expect(await ids('?kind=company&q=babbage')).toEqual([id]);
    expect(await ids('?kind=person&q=babbage')).toEqual([]);

    const productCategory = await owner
      .post('/api/v1/categories')
      .send({ type: 'product', name: `Gears ${randomUUID().slice(0, 6)}` })
      .expect(201);
    const wrong = await owner.post('/api/v1/contacts').send({
      kind: 'company',
      displayName: 'X',
      categoryId: (productCategory.body as Contact).id,
    });
    expect(wrong.body).toMatchObject({
      errors: [{ code: 'invalid_category', source: { pointer: '/categoryId' } }],
    });
    expect((await owner.get('/api/v1/contacts?kind=alien')).status).toBe(422);
  });
});
