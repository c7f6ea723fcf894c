import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditLogsService } from './audit-logs.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [AuditLogsController],
  providers: [AuditLogsService, AuditLogsRepository],
})
export class AuditLogsModule {}
