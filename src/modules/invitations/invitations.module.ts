import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { AuthModule } from '../auth';
import { MembershipsModule } from '../memberships';
import { OrganizationsModule } from '../organizations';
import { UsersModule } from '../users';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';

/** See README.md in this folder. */
@Module({
  imports: [
    AccessModule,
    AuditModule,
    AuthModule,
    MembershipsModule,
    OrganizationsModule,
    UsersModule,
  ],
  controllers: [InvitationsController],
  providers: [InvitationsService, InvitationsRepository],
  exports: [InvitationsService],
})
export class InvitationsModule {}
