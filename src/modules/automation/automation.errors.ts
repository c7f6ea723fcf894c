import { conflict, defineErrors, forbidden, rule } from '../../core/http';

/** The automation module's error codes (README "Error codes"). */
export const AutomationErrors = defineErrors({
  unknown_entity_type: rule((entityType: string, known: string[]) => ({
    detail: `${entityType} is not an entity type automation rules can apply to (${known.join(', ')})`,
    pointer: '/entityType',
    meta: { entityType, known },
  })),
  unknown_action: rule((index: number, type: string, known: string[]) => ({
    detail: `${type} is not a registered automation action (${known.join(', ')})`,
    pointer: `/actions/${index}/type`,
    meta: { type, known },
  })),
  invalid_run_as_user: rule(() => ({
    detail: 'runAsUserId must be an active member of this organization',
    pointer: '/runAsUserId',
  })),
  target_required: rule((action: string) => ({
    detail: `Action ${action} needs a record: run the rule on one (entityId)`,
    meta: { action },
  })),
  run_as_not_permitted: forbidden((missing: string[], missingRoleIds: string[] = []) => ({
    detail:
      'The run-as user holds permissions or roles you do not (a rule may not act with more than its author holds)',
    pointer: '/runAsUserId',
    meta: { missing, missingRoleIds },
  })),
  run_as_user_inactive: forbidden(() => ({
    detail: 'The rule’s run-as user is no longer an active member of this organization',
  })),
  permission_denied: forbidden((permission: string) => ({
    detail: `The rule’s run-as user lacks the ${permission} permission`,
    meta: { permission },
  })),
  rule_disabled: conflict(() => 'The rule is disabled: enable it before running it'),
  run_not_retryable: conflict((status: string) => ({
    detail: `Only a failed run can be retried (this one is ${status})`,
    meta: { status },
  })),
});
