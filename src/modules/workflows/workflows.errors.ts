import {
  conflict,
  defineErrors,
  ErrorObject,
  forbidden,
  rule,
  ValidationFailedError,
} from '../../core/http';
import type { FieldIssue } from '../../core/http';

/** The workflows module's error codes (README "Error codes"). */
export const WorkflowsErrors = defineErrors({
  unknown_entity_type: rule((entityType: string) => ({
    detail: `${entityType} is not an entity type workflows can govern`,
    pointer: '/entityType',
    meta: { entityType },
  })),
  /** Definition problems the schema cannot state; one error object per issue (see below). */
  invalid_workflow: rule((issues: FieldIssue[]) => ({
    detail: issues.map((i) => i.detail).join('; '),
    pointer: issues[0]?.pointer,
  })),
  workflow_not_draft: conflict((status: string) => ({
    detail: `The workflow is ${status}: only a draft can change (create a new revision instead)`,
    meta: { status },
  })),
  workflow_in_use: conflict(() => 'Records run on this workflow: it can only be deactivated'),
  unknown_action: rule((action: string) => ({
    detail: `The workflow has no action ${action}`,
    pointer: '/action',
    meta: { action },
  })),
  transition_not_available: conflict((action: string, state: string) => ({
    detail: `${action} is not possible from ${state}`,
    meta: { action, state },
  })),
  transition_not_allowed: forbidden((action: string) => ({
    detail: `Your roles do not allow ${action}`,
    meta: { action },
  })),
  self_approval_not_allowed: forbidden((action: string) => ({
    detail: `${action} must be done by someone other than who created the record or started its workflow`,
    meta: { action },
  })),
  transition_condition_not_met: conflict((action: string) => ({
    detail: `The record does not meet the condition of ${action}`,
    meta: { action },
  })),
  comment_required: rule((action: string) => ({
    detail: `${action} needs a comment`,
    pointer: '/comment',
    meta: { action },
  })),
  already_approved: conflict((action: string) => ({
    detail: `You already approved ${action} in this state`,
    meta: { action },
  })),
  status_governed_by_workflow: conflict((entityType: string, state: string) => ({
    detail: `This ${entityType}'s status follows its workflow (now ${state}): apply a workflow action instead`,
    meta: { entityType, state },
  })),
  locked_by_workflow: conflict((entityType: string, state: string) => ({
    detail: `This ${entityType} is ${state} in its workflow: your roles may not change it now`,
    meta: { entityType, state },
  })),
});

/** 422 `invalid_workflow`, one error object per issue (each with its JSON pointer). */
export class InvalidWorkflowError extends ValidationFailedError {
  override toErrorObjects(): ErrorObject[] {
    return super.toErrorObjects().map((object) => ({ ...object, code: 'invalid_workflow' }));
  }
}
