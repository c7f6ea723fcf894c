// Public surface of the automation module.
import { AutomationRuleEntity, AutomationRunEntity } from './automation.entity';

export { AutomationModule, AutomationWorkerModule } from './automation.module';
export { AutomationEventConsumer } from './automation.consumer';
export { AutomationMaintenance } from './automation.maintenance';
export { AutomationDateSweep } from './automation-date-sweep';
export { AutomationRuleEntity, AutomationRunEntity } from './automation.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const AUTOMATION_ENTITIES = [AutomationRuleEntity, AutomationRunEntity];
