// Public surface of the schedules module.
import { ScheduleEntity } from './schedule.entity';

export { SchedulesWorkerModule, SchedulesModule } from './schedules.module';
export { ScheduleEntity } from './schedule.entity';
export { OwnedSchedules, OwnedSchedulesModule } from './owned-schedules';
export type { OwnedScheduleSpec } from './owned-schedules';
export { cronMinGapSeconds, isValidCron } from './schedule-rules';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const SCHEDULES_ENTITIES = [ScheduleEntity];
