import { v7 as uuidv7 } from 'uuid';
import { CreateCustomFields1764003100000 } from '../../src/database/migrations/1764003100000-CreateCustomFields';
import { MediumDatabase, openMediumDatabase } from '../support/medium-db';

/**
 * The custom-fields migration on a real database: down() restores the attribute shape, old rows
 * are written in it, up() turns them into definitions and custom_fields (and down/up keep them).
 */
describe('CreateCustomFields1764003100000 (medium)', () => {
  const migration = new CreateCustomFields1764003100000();
  let database: MediumDatabase;

  beforeAll(async () => {
    database = await openMediumDatabase();
  });
  afterAll(async () => database.close());

  const run = async (direction: 'up' | 'down') => {
    const runner = database.dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await migration[direction](runner);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  };
  const insertProduct = async (orgId: string, sku: string, attributes: object) => {
    const id = uuidv7();
    await database.dataSource.query(
      `INSERT INTO products (id, organization_id, sku, name, type, uom_code, attributes)
       VALUES ($1, $2, $3, $4, 'goods', 'pc', $5)`,
      [id, orgId, sku, `Product ${sku}`, JSON.stringify(attributes)],
    );
    return id;
  };

  it('moves each organization’s attribute schema and values into custom fields', async () => {
    const withSchema = await database.organization();
    const freeForm = await database.organization();
    const untouched = await database.organization();
    await run('down');
    await database.dataSource.query(
      `INSERT INTO product_attribute_schemas (organization_id, attributes) VALUES ($1, $2)`,
      [
        withSchema,
        JSON.stringify([
          { key: 'Color', type: 'enum', required: true, options: ['red', 'blue'] },
          { key: 'weight', type: 'number' },
        ]),
      ],
    );
    const a = await insertProduct(withSchema, 'A-1', { Color: 'red', weight: 2.5 });
    const b = await insertProduct(withSchema, 'A-2', { Color: 'blue', weight: null });
    const c = await insertProduct(freeForm, 'B-1', { 'Shelf Life': 12, organic: true });
    const d = await insertProduct(untouched, 'C-1', {});

    await run('up');
    const definitions = await database.dataSource.query<
      { organization_id: string; key: string; type: string; required: boolean; options: unknown }[]
    >(
      `SELECT organization_id, key, type, required, options FROM custom_field_definitions
        WHERE organization_id = ANY($1) ORDER BY organization_id, position`,
      [[withSchema, freeForm, untouched]],
    );
    expect(definitions.filter((r) => r.organization_id === withSchema)).toEqual([
      {
        organization_id: withSchema,
        key: 'color',
        type: 'select',
        required: true,
        options: ['red', 'blue'],
      },
      {
        organization_id: withSchema,
        key: 'weight',
        type: 'number',
        required: false,
        options: null,
      },
    ]);
    expect(
      definitions.filter((r) => r.organization_id === freeForm).map((r) => [r.key, r.type]),
    ).toEqual([
      ['shelf_life', 'number'],
      ['organic', 'boolean'],
    ]);
    expect(definitions.filter((r) => r.organization_id === untouched)).toEqual([]);
    const values = async (id: string) =>
      (
        await database.dataSource.query<{ custom_fields: object }[]>(
          'SELECT custom_fields FROM products WHERE id = $1',
          [id],
        )
      )[0].custom_fields;
    expect(await values(a)).toEqual({ color: 'red', weight: 2.5 });
    expect(await values(b)).toEqual({ color: 'blue' });
    expect(await values(c)).toEqual({ shelf_life: 12, organic: true });
    expect(await values(d)).toEqual({});
    const [{ gone }] = await database.dataSource.query<{ gone: boolean }[]>(
      `SELECT to_regclass('product_attribute_schemas') IS NULL AS gone`,
    );
    expect(gone).toBe(true);

    // down() gives the attributes back under the custom field keys; up() again is stable.
    await run('down');
    const [row] = await database.dataSource.query<{ attributes: object }[]>(
      'SELECT attributes FROM products WHERE id = $1',
      [a],
    );
    expect(row.attributes).toEqual({ color: 'red', weight: 2.5 });
    await run('up');
    expect(await values(a)).toEqual({ color: 'red', weight: 2.5 });
  });
});
