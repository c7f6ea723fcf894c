// Public surface of the currencies module.
import { CurrencyEntity } from './currency.entity';

export { CurrenciesModule, CurrenciesServiceModule } from './currencies.module';
export { CURRENCIES_CACHE, CurrenciesService } from './currencies.service';
export { CurrencyEntity } from './currency.entity';
export { currenciesSeeder } from './currencies.seeder';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const CURRENCIES_ENTITIES = [CurrencyEntity];
