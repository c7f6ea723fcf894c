import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsRepository } from './audit-logs.repository';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [AuditLogsController],
  providers: [AuditLogsRepository],
})
export class AuditLogsModule {}
