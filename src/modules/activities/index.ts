// Public surface of the activities module.
import { ActivityEntity } from './activity.entity';

export {
  ActivitiesModule,
  ActivitiesServiceModule,
  ActivitiesWorkerModule,
} from './activities.module';
export { ActivityOverdueSweeper, OVERDUE_SWEEP_INTERVAL_MS } from './activity-overdue.sweeper';
export { ActivitiesService } from './activities.service';
export { ACTIVITY_TYPES } from './activity-state';
export { ActivityEntity } from './activity.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const ACTIVITIES_ENTITIES = [ActivityEntity];
