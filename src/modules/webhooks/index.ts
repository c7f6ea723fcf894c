// Public surface of the webhooks module.
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook.entity';

export { WebhookActionsModule, WebhooksModule, WebhooksWorkerModule } from './webhooks.module';
export { WebhookDispatcher, USER_AGENT } from './webhook-dispatcher';
export { signPayload, verifySignature, SIGNATURE_HEADER } from './webhook-signature';
export { CallWebhookAction } from './call-webhook.action';
export type { CallWebhookParams } from './call-webhook.action';
export { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const WEBHOOKS_ENTITIES = [WebhookSubscriptionEntity, WebhookDeliveryEntity];
