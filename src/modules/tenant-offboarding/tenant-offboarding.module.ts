import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { TenantExportJob } from './tenant-export.job';
import { TenantOffboardingController } from './tenant-offboarding.controller';
import { TenantOffboardingService } from './tenant-offboarding.service';

/** See README.md in this folder. API side: start exports, delete tenants. */
@Module({
  imports: [AccessModule, AuditModule, FileStorageModule],
  controllers: [TenantOffboardingController],
  providers: [TenantOffboardingService],
})
export class TenantOffboardingModule {}

/** Worker side: the `tenant.export` task. */
@Module({
  imports: [FileStorageModule, AuditModule],
  providers: [TenantExportJob],
})
export class TenantOffboardingWorkerModule {}
