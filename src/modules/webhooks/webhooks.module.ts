import { Module } from '@nestjs/common';
import { HttpEgressModule } from '../../core/http-egress';
import { MetricsModule } from '../../core/metrics';
import { AccessModule } from '../access';
import { AuditModule } from '../audit';
import { MemberDirectoryModule } from '../memberships';
import { NotificationsServiceModule } from '../notifications';
import { CallWebhookAction } from './call-webhook.action';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksEventConsumer } from './webhooks.consumer';
import { WebhooksController } from './webhooks.controller';
import { WebhooksMetrics } from './webhooks.metrics';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/**
 * The automation action `call_webhook`, registered once per process (imported by the API and the
 * worker modules below; Nest instantiates a module once, so it registers once).
 */
@Module({ imports: [HttpEgressModule], providers: [CallWebhookAction] })
export class WebhookActionsModule {}

/** See README.md in this folder. The API side: `/webhook-subscriptions`, gauges, the action. */
@Module({
  imports: [AuditModule, HttpEgressModule, MetricsModule, WebhookActionsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhooksMetrics],
})
export class WebhooksModule {}

/** The worker side: the fan-out consumer, the dispatcher (pause notifications), the action. */
@Module({
  imports: [
    AuditModule,
    AccessModule,
    MemberDirectoryModule,
    NotificationsServiceModule,
    HttpEgressModule,
    WebhookActionsModule,
  ],
  providers: [WebhooksRepository, WebhookDispatcher, WebhooksEventConsumer],
  exports: [WebhookDispatcher],
})
export class WebhooksWorkerModule {}
