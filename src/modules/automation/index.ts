// Public surface of the automation module.
export { AutomationActionRegistry, AutomationActionsModule } from './automation-action';
export type {
  AutomationAction,
  AutomationActionContext,
  AutomationStepResult,
} from './automation-action';
