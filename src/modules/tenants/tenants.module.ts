import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { InvitationsModule } from '../invitations';
import { OrganizationsModule } from '../organizations';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** See README.md in this folder. */
@Module({
  imports: [AccessModule, InvitationsModule, OrganizationsModule],
  controllers: [TenantsController],
  providers: [TenantsService],
})
export class TenantsModule {}
