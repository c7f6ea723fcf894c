import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLogsService } from './audit-logs.service';

/** See README.md in this folder. Exports `AuditLogsService` (the timeline reads a record's history). */
@Module({
  imports: [AuditModule],
  controllers: [AuditLogsController],
  providers: [AuditLogsService, AuditLogsRepository],
  exports: [AuditLogsService],
})
export class AuditLogsModule {}
