import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AutomationAction,
  AutomationActionContext,
  AutomationActionRegistry,
  AutomationStepResult,
} from '../../core/automation';
import { NotFoundError } from '../../core/http';
import { WorkflowInstancesService } from './workflow-instances.service';

/** Parameters of `apply_transition`. */
export interface ApplyTransitionParams {
  action: string;
  comment?: string;
}

/**
 * The automation action `apply_transition` (SPEC-P3 §8): takes `action` on the context's target
 * as the rule's runAs user (`ctx.actor`: permissions and roles checked at run time, exactly as
 * the route does), with `ctx.context` (causation) on the audit row and the event. Without a target
 * the step fails (404). `preview` runs the same checks and writes nothing: `{allowed, from, to}`.
 */
@Injectable()
export class ApplyTransitionAction
  implements AutomationAction<ApplyTransitionParams>, OnModuleInit
{
  readonly name = 'apply_transition';
  readonly description =
    'Take a workflow action (approve, submit, …) on the record, as the rule’s user';
  readonly paramsSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['action'],
    properties: {
      action: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,49}$' },
      comment: { type: 'string', minLength: 1, maxLength: 2000 },
    },
  };

  constructor(
    private readonly registry: AutomationActionRegistry,
    private readonly instances: WorkflowInstancesService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(
    ctx: AutomationActionContext,
    params: ApplyTransitionParams,
  ): Promise<AutomationStepResult> {
    const target = this.targetOf(ctx);
    const view = await this.instances.transition(
      ctx.organizationId,
      ctx.actor,
      ctx.context,
      target.entityType,
      target.entityId,
      params,
      undefined,
    );
    return {
      status: 'succeeded',
      output: { state: view.state, instanceId: view.instanceId, version: view.version },
    };
  }

  async preview(
    ctx: AutomationActionContext,
    params: ApplyTransitionParams,
  ): Promise<AutomationStepResult> {
    const target = this.targetOf(ctx);
    const outcome = await this.instances.preview(
      ctx.organizationId,
      ctx.actor,
      target.entityType,
      target.entityId,
      params,
    );
    return { status: 'succeeded', output: { allowed: true, from: outcome.from, to: outcome.to } };
  }

  private targetOf(ctx: AutomationActionContext): { entityType: string; entityId: string } {
    if (!ctx.target) throw new NotFoundError('Target');
    return ctx.target;
  }
}
