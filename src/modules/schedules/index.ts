// Public surface of the schedules module.
import { ScheduleEntity } from './schedule.entity';

export { SchedulesWorkerModule, SchedulesModule } from './schedules.module';
export { ScheduleEntity } from './schedule.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const SCHEDULES_ENTITIES = [ScheduleEntity];
