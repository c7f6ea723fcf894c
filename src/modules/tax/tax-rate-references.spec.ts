import type { EntityManager } from 'typeorm';
import { NotFoundError, RuleViolationError } from '../../core/http';
import type { CreateTaxRateDto } from './dto/tax.dto';
import type { TaxCategoriesService } from './tax-categories.service';
import type { TaxJurisdictionsService } from './tax-jurisdictions.service';
import { TaxRatesService } from './tax-rates.service';

/** A tax rate's references: only "not this organization's" is a 422; other failures propagate. */
describe('TaxRatesService reference check', () => {
  const orgId = '0190a5e0-0000-7000-8000-000000000001';
  const dto = {
    jurisdictionId: '0190a5e0-0000-7000-8000-000000000002',
    taxCategoryId: '0190a5e0-0000-7000-8000-000000000003',
  } as CreateTaxRateDto;
  const manager = {} as EntityManager;
  const serviceWith = (jurisdictionFind: () => Promise<unknown>) =>
    new TaxRatesService(
      undefined as never,
      undefined as never,
      { find: jest.fn(jurisdictionFind) } as unknown as TaxJurisdictionsService,
      { find: jest.fn(() => Promise.resolve({})) } as unknown as TaxCategoriesService,
      undefined as never,
    );

  it('answers 422 invalid_reference at /jurisdictionId when the jurisdiction is not found', async () => {
    const service = serviceWith(() => Promise.reject(new NotFoundError('Tax jurisdiction')));
    const failure = await service['assertReferences'](manager, orgId, dto).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RuleViolationError);
    expect(failure).toMatchObject({
      status: 422,
      code: 'invalid_reference',
      extra: { source: { pointer: '/jurisdictionId' } },
    });
  });

  it('lets an aborted transaction propagate as it is, not as a 422', async () => {
    const aborted = Object.assign(
      new Error('current transaction is aborted, commands ignored until end of transaction block'),
      { code: '25P02' },
    );
    const service = serviceWith(() => Promise.reject(aborted));
    const failure = await service['assertReferences'](manager, orgId, dto).catch(
      (error: unknown) => error,
    );
    expect(failure).toBe(aborted);
  });

  it('passes when both references are the organization’s', async () => {
    const service = serviceWith(() => Promise.resolve({}));
    await expect(service['assertReferences'](manager, orgId, dto)).resolves.toBeUndefined();
  });
});
