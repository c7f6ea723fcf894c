// Public surface of the audit-logs module (read routes over audit's table; no entities of its own).
export { AuditLogsModule } from './audit-logs.module';
export { AuditLogsService } from './audit-logs.service';
export type { EntityHistoryRow } from './audit-logs.repository';
