import { Module } from '@nestjs/common';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { OrganizationsServiceModule } from '../organizations';
import { UsersModule } from '../users';
import { ActivitiesController, MyActivitiesController } from './activities.controller';
import { ActivitiesRepository } from './activities.repository';
import { ActivitiesService, ActivityChildrenRegistration } from './activities.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, AccessModule, UsersModule, OrganizationsServiceModule],
  controllers: [ActivitiesController, MyActivitiesController],
  providers: [ActivitiesService, ActivitiesRepository, ActivityChildrenRegistration],
  exports: [ActivitiesService],
})
export class ActivitiesModule {}
