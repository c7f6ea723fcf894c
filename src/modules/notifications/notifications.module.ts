import { Module } from '@nestjs/common';
import { FollowersServiceModule } from '../followers';
import { MailModule } from '../mail';
import { MemberDirectoryModule } from '../memberships';
import { OrganizationsServiceModule } from '../organizations';
import { RolesModule } from '../roles';
import {
  NotificationPreferencesController,
  NotificationsController,
} from './notifications.controller';
import { NotificationMailSweeper } from './notification-mail.sweeper';
import {
  NotificationsConsumerRegistration,
  NotificationsEventConsumer,
} from './notifications.consumer';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** `NotificationsService` (the only sender) without routes, for API and worker modules. */
@Module({
  imports: [MemberDirectoryModule, RolesModule],
  providers: [NotificationsService, NotificationsRepository],
  exports: [NotificationsService, NotificationsRepository],
})
export class NotificationsServiceModule {}

/** See README.md in this folder. The API side: the routes. */
@Module({
  imports: [NotificationsServiceModule],
  controllers: [NotificationsController, NotificationPreferencesController],
  exports: [NotificationsServiceModule],
})
export class NotificationsModule {}

/**
 * The worker side: the domain-event consumer (follows and notifications from events) and the
 * e-mail sweep (coalesced and daily digest e-mails through the mail queue).
 */
@Module({
  imports: [
    NotificationsServiceModule,
    FollowersServiceModule,
    MemberDirectoryModule,
    OrganizationsServiceModule,
    MailModule,
  ],
  providers: [
    NotificationsEventConsumer,
    NotificationsConsumerRegistration,
    NotificationMailSweeper,
  ],
  exports: [NotificationsEventConsumer, NotificationMailSweeper],
})
export class NotificationsWorkerModule {}
