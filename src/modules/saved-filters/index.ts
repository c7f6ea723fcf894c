// Public surface of the saved-filters module.
import { SavedFilterEntity } from './saved-filter.entity';

export { SavedFiltersModule } from './saved-filters.module';
export { SavedFiltersService } from './saved-filters.service';
export { SavedFilterEntity } from './saved-filter.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const SAVED_FILTERS_ENTITIES = [SavedFilterEntity];
