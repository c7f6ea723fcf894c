// Public surface of the workflows module.
import { WORKFLOW_ENTITIES } from './workflow.entity';

export { WorkflowsModule, WorkflowsServiceModule, WorkflowsWorkerModule } from './workflows.module';
export { WorkflowSubjects, WorkflowSubjectsModule } from './workflow-subjects';
export type { WorkflowSubject } from './workflow-subjects';
export { WorkflowsService } from './workflows.service';
export { WorkflowInstancesService } from './workflow-instances.service';
export type { WorkflowActor, TransitionOutcome } from './workflow-instances.service';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const WORKFLOWS_ENTITIES = WORKFLOW_ENTITIES;
