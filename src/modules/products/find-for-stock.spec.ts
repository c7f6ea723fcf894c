import type { EntityManager } from 'typeorm';
import { RuleViolationError } from '../../core/http';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';

/** `findForStock` turns only "no such product" into a 422; other failures keep their identity. */
describe('ProductsService.findForStock', () => {
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
  const managerAnswering = (query: () => Promise<unknown>) =>
    ({ query: jest.fn(query) }) as unknown as EntityManager;

  it('answers 422 invalid_product at /productId when the product does not exist', async () => {
    const failure = await service
      .findForStock(
        managerAnswering(() => Promise.resolve([])),
        orgId,
        productId,
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RuleViolationError);
    expect(failure).toMatchObject({ status: 422, code: 'invalid_product' });
  });

  it('lets a statement timeout propagate as it is, not as a 422', async () => {
    const timeout = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    const failure = await service
      .findForStock(
        managerAnswering(() => Promise.reject(timeout)),
        orgId,
        productId,
      )
      .catch((error: unknown) => error);
    expect(failure).toBe(timeout);
  });
});
