import { v7 as uuidv7 } from 'uuid';
import { parseListQuery } from '../../src/core/http';
import { ProductsRepository } from '../../src/modules/products/products.repository';
import { StockRepository } from '../../src/modules/stock/stock.repository';
import { STOCK_LEVEL_LIST } from '../../src/modules/stock/stock.service';
import { MediumDatabase, openMediumDatabase } from '../support/medium-db';

/** StockRepository on a real database: ledger entries, level arithmetic, reconcile, RLS. */
describe('StockRepository (medium)', () => {
  const stock = new StockRepository();
  const products = new ProductsRepository();
  let database: MediumDatabase;
  let orgA: string;
  let orgB: string;
  let productId: string;
  let warehouseId: string;
  let locationId: string;

  /** A warehouse with one location (owner connection: warehouses are another module's tables). */
  const location = async (orgId: string) => {
    const [{ id: warehouse }] = await database.dataSource.query<{ id: string }[]>(
      `INSERT INTO warehouses (organization_id, code, name) VALUES ($1, $2, 'W') RETURNING id`,
      [orgId, `W-${uuidv7().slice(-8)}`],
    );
    const id = uuidv7();
    await database.dataSource.query(
      `INSERT INTO stock_locations (id, organization_id, warehouse_id, code, name, path, depth)
       VALUES ($1, $2, $3, $4, 'L', $5, 0)`,
      [id, orgId, warehouse, `L-${id.slice(-8)}`, `/${id}/`],
    );
    return { warehouse, id };
  };
  const move = (orgId: string, to: string | null, from: string | null, quantity: string) =>
    database.db.run(orgId, (m) =>
      stock.insertMove(m, orgId, {
        id: uuidv7(),
        productId,
        fromLocationId: from,
        toLocationId: to,
        quantity,
        reference: 'medium',
        note: '',
        movedAt: new Date(),
        actorUserId: null,
        actorApiKeyId: null,
      }),
    );

  beforeAll(async () => {
    database = await openMediumDatabase();
    orgA = await database.organization();
    orgB = await database.organization();
    productId = uuidv7();
    await database.db.run(orgA, (m) =>
      products.insert(m, orgA, {
        id: productId,
        sku: 'STK-1',
        name: 'Stocked',
        description: '',
        type: 'goods',
        price: null,
        currencyCode: null,
        uomCode: 'pc',
        categoryId: null,
        customFields: {},
      }),
    );
    ({ warehouse: warehouseId, id: locationId } = await location(orgA));
  });
  afterAll(() => database.close());

  it('keeps a level in exact decimals and refuses to take more than it holds', async () => {
    await database.db.run(orgA, (m) => stock.addToLevel(m, orgA, productId, locationId, '10.5'));
    await move(orgA, locationId, null, '10.5');
    const taken = await database.db.run(orgA, (m) =>
      stock.takeIfAvailable(m, orgA, productId, locationId, '0.25'),
    );
    expect(taken).toBe(true);
    await move(orgA, null, locationId, '0.25');
    const refused = await database.db.run(orgA, (m) =>
      stock.takeIfAvailable(m, orgA, productId, locationId, '100'),
    );
    expect(refused).toBe(false);
    expect(
      await database.db.run(orgA, (m) => stock.levelQuantity(m, orgA, productId, locationId)),
    ).toBe('10.25');
  });

  it('changes a level and appends its ledger entry in one statement, or neither when a take falls short', async () => {
    const here = await location(orgA);
    const entry = (quantity: string, to: string | null, from: string | null) => ({
      id: uuidv7(),
      productId,
      fromLocationId: from,
      toLocationId: to,
      quantity,
      reference: 'one-statement',
      note: '',
      movedAt: new Date(),
      actorUserId: null,
      actorApiKeyId: null,
    });
    const apply = (change: 'add' | 'subtract' | 'take', quantity: string) =>
      database.db.run(orgA, (m) =>
        stock.changeLevelAndInsertMove(
          m,
          orgA,
          { locationId: here.id, change },
          entry(quantity, change === 'add' ? here.id : null, change === 'add' ? null : here.id),
        ),
      );
    const level = () =>
      database.db.run(orgA, (m) => stock.levelQuantity(m, orgA, productId, here.id));
    const ledger = () =>
      database.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM stock_moves WHERE organization_id = $1
            AND (to_location_id = $2 OR from_location_id = $2)`,
        [orgA, here.id],
      );
    expect(await apply('add', '5.5')).toMatchObject({ quantity: '5.5', to_location_id: here.id });
    expect(await level()).toBe('5.5');
    expect(await apply('take', '2')).toMatchObject({ quantity: '2', from_location_id: here.id });
    expect(await apply('take', '4')).toBeUndefined();
    expect(await level()).toBe('3.5');
    expect(await apply('subtract', '4')).toMatchObject({ quantity: '4' });
    expect(await level()).toBe('-0.5');
    expect(await ledger()).toEqual([{ n: 3 }]);
  });

  it('goes negative only through subtractFromLevel (a location that allows it)', async () => {
    const other = await location(orgA);
    await database.db.run(orgA, (m) => stock.subtractFromLevel(m, orgA, productId, other.id, '3'));
    await move(orgA, null, other.id, '3');
    expect(
      await database.db.run(orgA, (m) => stock.levelQuantity(m, orgA, productId, other.id)),
    ).toBe('-3');
  });

  it('reads moves and levels only within the organization (RLS hides the rest)', async () => {
    await database.db.run(orgA, (m) => stock.addToLevel(m, orgA, productId, locationId, '2'));
    const entry = await move(orgA, locationId, null, '2.000');
    expect(entry.quantity).toBe('2');
    expect(await database.db.run(orgA, (m) => stock.findMove(m, orgA, entry.id))).toMatchObject({
      id: entry.id,
      product_id: productId,
    });
    expect(await database.db.run(orgB, (m) => stock.findMove(m, orgB, entry.id))).toBeUndefined();
    expect(await database.db.run(orgB, (m) => stock.findMove(m, orgA, entry.id))).toBeUndefined();
    expect(
      await database.db.run(orgB, (m) => stock.levelQuantity(m, orgA, productId, locationId)),
    ).toBeUndefined();
    const query = parseListQuery(
      STOCK_LEVEL_LIST,
      { warehouseId },
      { defaultSize: 50, maxSize: 50 },
    );
    const mine = await database.db.run(orgA, (m) => stock.pageLevels(m, orgA, query));
    expect(mine.rows).toEqual([
      expect.objectContaining({
        location_id: locationId,
        warehouse_id: warehouseId,
        quantity: '12.25',
      }),
    ]);
    const theirs = await database.db.run(orgB, (m) => stock.pageLevels(m, orgB, query));
    expect(theirs).toEqual({ rows: [], total: 0 });
  });

  it('reconciles levels against the ledger and reports a disagreement', async () => {
    expect(await database.db.run(orgA, (m) => stock.levelMismatches(m, orgA, null))).toEqual([]);
    // A level changed without its ledger entry: the reconcile finds exactly that one.
    await database.db.run(orgA, (m) => stock.addToLevel(m, orgA, productId, locationId, '1'));
    const mismatches = await database.db.run(orgA, (m) =>
      stock.levelMismatches(m, orgA, warehouseId),
    );
    expect(mismatches).toEqual([
      { product_id: productId, location_id: locationId, level: '13.25', ledger: '12.25', n: 1 },
    ]);
    expect(await database.db.run(orgA, (m) => stock.countLevels(m, orgA, warehouseId))).toBe(1);
    expect(await database.db.run(orgB, (m) => stock.levelMismatches(m, orgB, null))).toEqual([]);
  });
});
