// Public surface of the categories module.
import { CategoryEntity } from './category.entity';

export { CategoriesModule, CategoriesServiceModule } from './categories.module';
export { CategoriesService } from './categories.service';
export { CategoryTargetsModule } from './category-targets';
export { CategoryEntity, CATEGORY_TYPES, CategoryType } from './category.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const CATEGORIES_ENTITIES = [CategoryEntity];
