import { AuditLogEntity } from './audit-log.entity';

export { AuditMetricsModule, AuditModule, AuditWorkerModule } from './audit.module';
export { AuditService, AuditEntry, domainEventOf, GuardedEntry, pastTense } from './audit.service';
export {
  AUDIT_SEAL_CHANNEL,
  AuditSealer,
  ChainVerification,
  SEAL_BATCH_SIZE,
  SYSTEM_CHAIN,
} from './audit-sealer';
export {
  AUDIT_SEALER_LOOP_OPTIONS,
  AuditSealerLoop,
  AuditSealerLoopOptions,
  DEFAULT_SEALER_LOOP_OPTIONS,
} from './audit-sealer.loop';
export type { UnsealedTail } from './audit-chain.repository';
export { diffFields, maskSecrets } from './audit-chain';
export { AuditLogEntity } from './audit-log.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const AUDIT_ENTITIES = [AuditLogEntity];
