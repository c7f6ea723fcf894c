export { BaseEntity } from './base.entity';
export { buildDataSourceOptions, SchemaLists } from './data-source-options';
export { DatabaseModule } from './database.module';
export { SnakeNamingStrategy } from './snake-naming.strategy';
export { returningRows } from './returning';
export { updateVersioned, VersionedUpdate } from './versioned-update';
export { deleteTenantRow, lockTenantRow, selectTenantRow, tenantRowExists } from './tenant-rows';
export { ExistenceCheck, ExistenceChecks } from './existence-checks';
export {
  Conditions,
  conditionsKey,
  contains,
  escapeLike,
  filterSql,
  iso,
  Keyset,
  KeysetType,
  keysetOrder,
  addKeysetCondition,
  orderBy,
  selectPage,
  historyPageConditions,
  utcMicros,
} from './sql';
export { childPlacement, moveSubtree, TreeNode } from './tree';
export { assertDatabaseReachable, DatabaseUnreachableError } from './reachability';
export { runSeeds, Seeder } from './seeder';
