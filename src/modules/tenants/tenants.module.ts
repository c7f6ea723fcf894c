import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { FileStorageModule } from '../files';
import { InvitationsModule } from '../invitations';
import { OrganizationsModule } from '../organizations';
import { TenantExportJob } from './tenant-export.job';
import { TenantOffboardingController } from './tenant-offboarding.controller';
import { TenantOffboardingService } from './tenant-offboarding.service';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** See README.md in this folder. API side, provisioning: `POST /tenants`. */
@Module({
  imports: [AccessModule, InvitationsModule, OrganizationsModule],
  controllers: [TenantsController],
  providers: [TenantsService],
})
export class TenantsModule {}

/**
 * API side, offboarding: export and delete a tenant. A Nest module of its own only so the module
 * registry can keep registering its routes last, where they always were: route registration
 * order is the order of `openapi.json`'s paths, which must not change.
 */
@Module({
  imports: [AccessModule, AuditModule, FileStorageModule],
  controllers: [TenantOffboardingController],
  providers: [TenantOffboardingService],
})
export class TenantOffboardingModule {}

/** Worker side: the `tenant.export` job. */
@Module({
  imports: [FileStorageModule, AuditModule],
  providers: [TenantExportJob],
})
export class TenantsWorkerModule {}
