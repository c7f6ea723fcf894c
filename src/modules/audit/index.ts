export { AuditModule } from './audit.module';
export { AuditService, AuditEntry, ChainVerification } from './audit.service';
export { diffFields, maskSecrets } from './audit-chain';
