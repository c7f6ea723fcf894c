import { RuleViolationError } from '../../core/http';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';

/**
 * `stockKindStatement`: the product check a stock move sends with its location lock
 * (`queryTogether`). Only "no such product" becomes a 422; a failing statement (a timeout) is
 * thrown by `queryTogether` before any decode, so it keeps its identity.
 */
describe('ProductsService.stockKindStatement', () => {
  const service = new ProductsService(
    ...([
      undefined,
      new ProductsRepository(),
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      { onTaggingsChanged: () => undefined }, // tags: only registers a listener here
      undefined,
    ] as unknown as ConstructorParameters<typeof ProductsService>),
  );
  const orgId = '0190a5e0-0000-7000-8000-000000000001';
  const productId = '0190a5e0-0000-7000-8000-000000000002';

  it('reads the live product of the organization by id, parameters bound in order', () => {
    const statement = service.stockKindStatement(orgId, productId);
    expect(statement.sql).toMatch(/FROM products WHERE organization_id = \$1 AND id = \$2/);
    expect(statement.sql).toMatch(/deleted_at IS NULL/);
    expect(statement.params).toEqual([orgId, productId]);
  });

  it('decodes the row, or answers 422 invalid_product at /productId when there is none', () => {
    const statement = service.stockKindStatement(orgId, productId);
    expect(statement.decode([{ id: productId, type: 'goods' }])).toEqual({
      id: productId,
      type: 'goods',
    });
    let failure: unknown;
    try {
      statement.decode([]);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RuleViolationError);
    expect(failure).toMatchObject({ status: 422, code: 'invalid_product' });
  });
});
