import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { StatusUsageModule } from './status-usage';
import { StatusesController } from './statuses.controller';
import { StatusesRepository } from './statuses.repository';
import { StatusesService } from './statuses.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, StatusUsageModule],
  controllers: [StatusesController],
  providers: [StatusesService, StatusesRepository],
  exports: [StatusesService],
})
export class StatusesModule {}
