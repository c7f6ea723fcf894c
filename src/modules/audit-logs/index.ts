// Public surface of the audit-logs module (read routes over audit's table; no entities of its own).
export { AuditLogsModule } from './audit-logs.module';
