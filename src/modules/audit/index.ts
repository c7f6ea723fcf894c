import { AuditLogEntity } from './audit-log.entity';

export { AuditModule } from './audit.module';
export {
  AuditService,
  AuditEntry,
  ChainVerification,
  domainEventOf,
  GuardedEntry,
  pastTense,
} from './audit.service';
export { diffFields, maskSecrets } from './audit-chain';
export { AuditLogEntity } from './audit-log.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const AUDIT_ENTITIES = [AuditLogEntity];
