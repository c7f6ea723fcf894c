import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; detail: string; source?: { pointer?: string; parameter?: string } }[];
}
interface ProductBody {
  id: string;
  name: string;
  description: string;
}

describe('localization', () => {
  let t: TestApp;
  let owner: Actor;
  let viewer: Actor;
  let other: Actor;
  let product: ProductBody;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    other = await createTenant(t);
    product = (
      await owner
        .post('/api/v1/products')
        .send({
          sku: 'KB-1',
          name: 'Wireless Keyboard',
          description: 'Bluetooth, QWERTY',
          type: 'goods',
        })
        .expect(201)
    ).body as ProductBody;
  });
  afterAll(async () => t.close());

  const missing = (actor: Actor) =>
    actor.get('/api/v1/products/00000000-0000-7000-8000-000000000000');

  describe('language of answers', () => {
    it('follows Accept-Language q-values when the language exists, and says it in Content-Language', async () => {
      const fr = await missing(owner).set('Accept-Language', 'de;q=1, fr;q=0.9, en;q=0.8');
      expect(fr.status).toBe(404);
      expect(fr.headers['content-language']).toBe('fr');
      expect((fr.body as Envelope).errors[0]).toMatchObject({
        code: 'not_found',
        detail: 'La ressource demandée est introuvable.',
      });
      expect(fr.headers.vary).toMatch(/Accept-Language/);

      const fallback = await missing(owner).set('Accept-Language', 'de, ja;q=0.5').expect(404);
      expect(fallback.headers['content-language']).toBe('en');
      expect((fallback.body as Envelope).errors[0].detail).toBe('Product not found');
    });

    it('takes ?lang first, on list routes and on routes with a query DTO, without a 422', async () => {
      const list = await owner
        .get('/api/v1/products?lang=fr&size=1')
        .set('Accept-Language', 'en')
        .expect(200);
      expect(list.headers['content-language']).toBe('fr');
      const convert = await owner
        .get('/api/v1/units-of-measure/convert?from=kg&to=g&quantity=1&lang=fr')
        .expect(200);
      expect(convert.headers['content-language']).toBe('fr');
      // Validation errors keep naming the field, in the language asked for.
      const bad = await owner.get('/api/v1/products?sort=nope&lang=fr').expect(422);
      expect((bad.body as Envelope).errors[0].detail).toBe(
        'tri impossible par « nope » ; triables : ' +
          (bad.body as Envelope).errors[0].detail.split('triables : ')[1],
      );
      expect((bad.body as Envelope).errors[0].detail).not.toMatch(/cannot|sortable/);
      // A body DTO's class-validator messages are translated too, constraint by constraint.
      const body = await owner
        .post('/api/v1/categories?lang=fr')
        .send({ type: 'product', name: 'Tea', parentId: 'nope' })
        .expect(422);
      expect((body.body as Envelope).errors).toEqual([
        expect.objectContaining({ detail: 'parentId doit être un UUID' }),
      ]);
    });

    it('translates the error envelope for anonymous callers too (401)', async () => {
      const res = await t.http.get('/api/v1/products').set('Accept-Language', 'fr-CA').expect(401);
      expect(res.headers['content-language']).toBe('fr');
      expect((res.body as Envelope).errors[0].detail).toMatch(/Authentification requise/);
    });

    it('prefers the user’s language over Accept-Language, and the organization’s after both', async () => {
      await viewer.patch('/api/v1/auth/me').send({ language: 'fr' }).expect(200);
      const userFr = await missing(viewer).set('Accept-Language', 'en').expect(404);
      expect(userFr.headers['content-language']).toBe('fr');

      // The owner has no preference: no header → the organization's default, once it has one.
      expect((await missing(owner).expect(404)).headers['content-language']).toBe('en');
      await owner
        .patch(`/api/v1/organizations/${owner.organization.id}`)
        .send({ language: 'fr' })
        .expect(200);
      expect((await missing(owner).expect(404)).headers['content-language']).toBe('fr');
      expect(
        (await missing(owner).set('Accept-Language', 'en').expect(404)).headers['content-language'],
      ).toBe('en');
      await owner
        .patch(`/api/v1/organizations/${owner.organization.id}`)
        .send({ language: 'en' })
        .expect(200);
    });
  });

  describe('content translations', () => {
    const url = () => `/api/v1/content-translations/products/${product.id}`;

    it('stores translations, audits them, and answers product reads in the resolved language with fallback', async () => {
      const put = await owner
        .put(url())
        .send({ translations: { fr: { name: 'Clavier sans fil' } } })
        .expect(200);
      expect(put.body).toEqual({
        type: 'products',
        id: product.id,
        translations: { fr: { name: 'Clavier sans fil' } },
        fields: ['name', 'description'],
      });
      const [row] = await t.dataSource.query<{ fields: unknown }[]>(
        `SELECT fields FROM content_translations WHERE entity_id = $1 AND language = 'fr'`,
        [product.id],
      );
      expect(row.fields).toEqual({ name: 'Clavier sans fil' });
      const audit = await t.dataSource.query<unknown[]>(
        `SELECT 1 FROM audit_logs WHERE entity_type = 'products.translations' AND entity_id = $1`,
        [product.id],
      );
      expect(audit).toHaveLength(1);

      const fr = await owner
        .get(`/api/v1/products/${product.id}`)
        .set('Accept-Language', 'fr')
        .expect(200);
      // name translated; description has no translation → the product's own.
      expect(fr.body).toMatchObject({ name: 'Clavier sans fil', description: 'Bluetooth, QWERTY' });
      const list = await owner.get('/api/v1/products?lang=fr').expect(200);
      expect((list.body as { items: ProductBody[] }).items[0].name).toBe('Clavier sans fil');
      const en = await owner.get(`/api/v1/products/${product.id}`).expect(200);
      expect(en.body).toMatchObject({ name: 'Wireless Keyboard' });

      // A viewer reads translations; PUT replaces everything (fr removed).
      expect((await viewer.get(url()).expect(200)).body).toMatchObject({
        translations: { fr: { name: 'Clavier sans fil' } },
      });
      await owner.put(url()).send({ translations: {} }).expect(200);
      expect((await owner.get(url()).expect(200)).body).toMatchObject({ translations: {} });
    });

    it('refuses unknown languages, fields, types and bad values with 422 pointers; writes nothing', async () => {
      const res = await owner
        .put(url())
        .send({
          translations: {
            de: { name: 'Tastatur' },
            fr: { sku: 'X', name: '' },
          },
        })
        .expect(422);
      expect((res.body as Envelope).errors.map((e) => e.source?.pointer).sort()).toEqual([
        '/translations/de',
        '/translations/fr/name',
        '/translations/fr/sku',
      ]);
      await owner.put(url()).send({ translations: 'fr' }).expect(422);
      const type = await owner
        .get(`/api/v1/content-translations/spaceships/${product.id}`)
        .expect(422);
      expect((type.body as Envelope).errors[0].source).toEqual({ parameter: 'type' });
      const rows = await t.dataSource.query<unknown[]>(
        `SELECT 1 FROM content_translations WHERE entity_id = $1`,
        [product.id],
      );
      expect(rows).toHaveLength(0);
    });

    it('needs the permission (403) and never reaches another tenant’s entity (404)', async () => {
      await viewer
        .put(url())
        .send({ translations: { fr: { name: 'Nope' } } })
        .expect(403);
      const theirs = await other.get(url()).expect(404);
      const unknown = await other
        .get('/api/v1/content-translations/products/0190a000-0000-7000-8000-000000000000')
        .expect(404);
      expect((theirs.body as Envelope).errors).toEqual((unknown.body as Envelope).errors);
      await other
        .put(url())
        .send({ translations: { fr: { name: 'Nope' } } })
        .expect(404);
      await other.get(url()).set('X-Organization-Id', owner.organization.id).expect(403);
      const rows = await t.dataSource.query<unknown[]>(
        `SELECT 1 FROM content_translations WHERE entity_id = $1`,
        [product.id],
      );
      expect(rows).toHaveLength(0);
    });
  });
});
