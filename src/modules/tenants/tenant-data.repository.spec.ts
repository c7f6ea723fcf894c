import { childrenFirst } from './tenant-data.repository';

describe('childrenFirst', () => {
  it('puts every table before the tables it references, ignoring outside tables', () => {
    const order = childrenFirst(
      ['products', 'stock_moves', 'warehouses', 'stock_locations', 'categories'],
      [
        { child: 'stock_moves', parent: 'products' },
        { child: 'stock_moves', parent: 'stock_locations' },
        { child: 'stock_locations', parent: 'warehouses' },
        { child: 'products', parent: 'categories' },
        { child: 'products', parent: 'currencies' },
      ],
    );
    const before = (a: string, b: string) => order.indexOf(a) < order.indexOf(b);
    expect(order).toHaveLength(5);
    expect(before('stock_moves', 'products')).toBe(true);
    expect(before('stock_moves', 'stock_locations')).toBe(true);
    expect(before('stock_locations', 'warehouses')).toBe(true);
    expect(before('products', 'categories')).toBe(true);
  });

  it('still returns every table once when references form a cycle', () => {
    const order = childrenFirst(
      ['a', 'b', 'c'],
      [
        { child: 'a', parent: 'b' },
        { child: 'b', parent: 'a' },
      ],
    );
    expect([...order].sort()).toEqual(['a', 'b', 'c']);
  });
});
