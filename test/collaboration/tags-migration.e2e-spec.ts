import { randomUUID } from 'node:crypto';
import { CreateTags1764003200000 } from '../../src/database/migrations/1764003200000-CreateTags';
import { createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The data move of migration CreateTags: products' and contacts' `tags text[]` become tags and
 * taggings (one tag per organization and folded name), and `down` gives the arrays back. Run on
 * this file's own database: `down`, rows with arrays, then `up` again.
 */
describe('migration CreateTags moves tags text[] into the registry', () => {
  let t: TestApp;
  let a: Actor;
  let b: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createTenant(t);
    b = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('up after down: one tag per folded name and organization, taggings per live record; down restores arrays', async () => {
    const migration = new CreateTags1764003200000();
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      const product = async (orgId: string, tags: string[], deleted = false) => {
        const id = randomUUID();
        await runner.query(
          `INSERT INTO products (id, organization_id, sku, name, type, uom_code, tags, deleted_at)
           VALUES ($1, $2, $3, 'M', 'goods', 'pc', $4, $5)`,
          [id, orgId, `MIG-${id.slice(0, 8)}`, tags, deleted ? new Date() : null],
        );
        return id;
      };
      const p1 = await product(a.organization.id, ['Café', 'tea']);
      const p2 = await product(a.organization.id, ['CAFE\u0301', 'ＴＥＡ', 'green']);
      const gone = await product(a.organization.id, ['only-deleted'], true);
      const pb = await product(b.organization.id, ['café']);
      const contactId = randomUUID();
      await runner.query(
        `INSERT INTO contacts (id, organization_id, kind, display_name, tags)
         VALUES ($1, $2, 'company', 'Mig Co', $3)`,
        [contactId, a.organization.id, ['Tea', 'supplier']],
      );

      await migration.up(runner);
      const tags = (await runner.query(
        `SELECT organization_id::text AS org, name, name_key FROM tags ORDER BY organization_id, name_key`,
      )) as { org: string; name: string; name_key: string }[];
      const ofA = tags.filter((x) => x.org === a.organization.id);
      expect(ofA.map((x) => x.name_key)).toEqual(['café', 'green', 'supplier', 'tea']);
      // The first spelling in code-point order names the tag.
      expect(ofA.find((x) => x.name_key === 'café')!.name).toBe('CAFE\u0301');
      expect(ofA.find((x) => x.name_key === 'tea')!.name).toBe('Tea');
      expect(tags.filter((x) => x.org === b.organization.id).map((x) => x.name)).toEqual(['café']);
      const keysOf = async (id: string) =>
        (
          (await runner.query(
            `SELECT t.name_key AS key FROM taggings g JOIN tags t ON t.id = g.tag_id
              WHERE g.target_id = $1 ORDER BY 1`,
            [id],
          )) as { key: string }[]
        ).map((r) => r.key);
      expect(await keysOf(p1)).toEqual(['café', 'tea']);
      expect(await keysOf(p2)).toEqual(['café', 'green', 'tea']);
      expect(await keysOf(gone)).toEqual([]);
      expect(await keysOf(pb)).toEqual(['café']);
      expect(await keysOf(contactId)).toEqual(['supplier', 'tea']);
      const columns = (await runner.query(
        `SELECT count(*)::int AS n FROM information_schema.columns
          WHERE table_name IN ('products', 'contacts') AND column_name = 'tags'`,
      )) as { n: number }[];
      expect(columns[0].n).toBe(0);

      await migration.down(runner);
      const [restored] = (await runner.query('SELECT tags FROM products WHERE id = $1', [p2])) as {
        tags: string[];
      }[];
      expect(restored.tags).toEqual(['CAFE\u0301', 'green', 'Tea']);
      await migration.up(runner);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
