// Public surface of the notifications module.
import {
  NotificationCounterEntity,
  NotificationDeliveryEntity,
  NotificationEntity,
  NotificationPreferenceEntity,
} from './notification.entity';

export {
  NotificationsModule,
  NotificationsServiceModule,
  NotificationsWorkerModule,
} from './notifications.module';
export { NotificationsService, UNREAD_COUNT_EVENT } from './notifications.service';
export type { NotifyRequest, NotifyResult } from './notifications.service';
export { NotificationsEventConsumer } from './notifications.consumer';
export type { NotifiableEvent } from './notifications.consumer';
export { NotificationMailSweeper, COALESCE_WINDOW_MS } from './notification-mail.sweeper';
export { NOTIFICATION_TYPES, NOTIFICATION_TYPE_CODES } from './notification-types';
export type { NotificationTypeCode } from './notification-types';
export {
  NotificationCounterEntity,
  NotificationDeliveryEntity,
  NotificationEntity,
  NotificationPreferenceEntity,
} from './notification.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const NOTIFICATIONS_ENTITIES = [
  NotificationEntity,
  NotificationDeliveryEntity,
  NotificationPreferenceEntity,
  NotificationCounterEntity,
];
