export { TargetRegistry, TargetsModule } from './target-registry';
export type { TargetAccess, TargetChildren, TargetDefinition } from './target-registry';
