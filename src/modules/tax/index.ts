// Public surface of the tax module.
import { TaxCategoryEntity, TaxJurisdictionEntity, TaxRateEntity } from './tax.entity';

export { TaxModule } from './tax.module';
export { TaxCategoryEntity, TaxJurisdictionEntity, TaxRateEntity } from './tax.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const TAX_ENTITIES = [TaxJurisdictionEntity, TaxCategoryEntity, TaxRateEntity];
