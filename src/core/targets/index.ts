export { TargetRegistry, TargetsModule } from './target-registry';
export type { TargetAccess, TargetChildren, TargetDefinition } from './target-registry';
export { RecordUpdaters } from './record-updaters';
export type { RecordUpdater } from './record-updaters';
