// The automation action contract (issue 19): the registry modules register their actions into.
// In core so that modules registering actions (workflows, webhooks) do not import the automation
// module, which itself depends on schedules → stock → products (an import cycle).
export {
  AutomationActionRegistry,
  AutomationActionsModule,
  UNREADABLE_SECRET,
} from './automation-action';
export type {
  AutomationAction,
  AutomationActionContext,
  AutomationStepResult,
} from './automation-action';
