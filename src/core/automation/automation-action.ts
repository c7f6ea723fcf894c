import { Global, Injectable, Module } from '@nestjs/common';
import type { AuditContext, Principal } from '../auth';

/**
 * What an automation action is told when it runs (issue 19, SPEC-P3 §8). The rule's `runAs` user
 * is resolved again at run time into `actor` (current memberships and permissions; an inactive
 * user or a lost membership fails the step), so an action checks `actor.permissions` exactly as a
 * route would and calls the owning module's service with `actor` and `context`. `context.causation`
 * carries the rule and run ids and the depth the action's own writes publish with, so the
 * automation consumer can refuse to fire a rule on its own writes and stop cascades at depth > 3.
 */
export interface AutomationActionContext {
  organizationId: string;
  /** The rule's runAs user as a principal of `organizationId`, resolved at run time. */
  actor: Principal;
  /** Audit facts for the action's writes: actor = runAs user, `causation` set, request id = run id. */
  context: AuditContext;
  /** The record the triggering event names (null for `schedule`/`manual` without a record). */
  target: { entityType: string; entityId: string } | null;
  /** The triggering domain event (type, changed fields, data), null for schedule/manual runs. */
  event: {
    eventId: string;
    type: string;
    changedFields: string[];
    data: Record<string, unknown>;
    causationDepth: number;
  } | null;
  ruleId: string;
  runId: string;
}

/**
 * What an action finds in place of a secret param (a signing secret, a header value) that the
 * server stored sealed and could not open — `WEBHOOK_SECRETS_KEY` changed, or the value was copied
 * from another rule. An action must refuse to run with it (never send or sign with it); the rule
 * must be saved again with the value. Not a string any client can send (it starts with NUL).
 */
export const UNREADABLE_SECRET = '\u0000unreadable-secret';

/** One step's outcome, kept in `automation_runs` (JSON, no secrets). */
export interface AutomationStepResult {
  status: 'succeeded' | 'skipped';
  /** What the step did (ids written, HTTP status…) or, in a dry run, what it would do. */
  output: Record<string, unknown>;
}

/**
 * An action from the registry (`update_record`, `add_tag`, `apply_transition`, `call_webhook`…).
 * `paramsSchema` is a JSON Schema (draft 2020-12, validated with ajv when a rule is saved: a bad
 * parameter → 422 at `/actions/<i>/params/...`), published in `GET /automation/catalog`.
 * `run` does the work (throws a typed error to fail the step; the run stops at the first failure);
 * `preview` is the dry run of `POST /automation-rules/{id}/test`: the same checks (permissions,
 * target exists, parameters resolve), **no writes and no outbound calls**, and an output that says
 * what `run` would do.
 */
export interface AutomationAction<P = Record<string, unknown>> {
  /** snake_case, unique in the registry. */
  readonly name: string;
  readonly description: string;
  readonly paramsSchema: Record<string, unknown>;
  run(ctx: AutomationActionContext, params: P): Promise<AutomationStepResult>;
  preview(ctx: AutomationActionContext, params: P): Promise<AutomationStepResult>;
}

/**
 * The registry of automation actions. Modules register their actions from `onModuleInit` of a
 * provider (the automation module registers the generic ones; workflows registers
 * `apply_transition`, webhooks `call_webhook`). Global, in the API (catalog, rule validation, dry
 * runs) and in the worker (runs); a module registering an action must be loaded in both.
 */
@Injectable()
export class AutomationActionRegistry {
  private readonly actions = new Map<string, AutomationAction>();

  /** Adds an action; throws on a second action of the same name (a programming error). */
  register<P>(action: AutomationAction<P>): void {
    if (this.actions.has(action.name))
      throw new Error(`automation action "${action.name}" registered twice`);
    this.actions.set(action.name, action as unknown as AutomationAction);
  }

  /** The action of this name, or undefined. */
  get(name: string): AutomationAction | undefined {
    return this.actions.get(name);
  }

  /** Every registered action, by name. */
  list(): AutomationAction[] {
    return [...this.actions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** Provides the one {@link AutomationActionRegistry} to every module (API and worker). */
@Global()
@Module({ providers: [AutomationActionRegistry], exports: [AutomationActionRegistry] })
export class AutomationActionsModule {}
