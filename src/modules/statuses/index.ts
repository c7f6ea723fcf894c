// Public surface of the statuses module.
import { StatusEntity } from './status.entity';

export { StatusesModule } from './statuses.module';
export { StatusesService } from './statuses.service';
export { StatusUsage, StatusUsageCheck, StatusUsageModule } from './status-usage';
export { STATUS_CATEGORIES, StatusCategory, StatusEntity } from './status.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const STATUSES_ENTITIES = [StatusEntity];
