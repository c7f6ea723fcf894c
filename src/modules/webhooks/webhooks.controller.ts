import { Body, Controller, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  IssuesSecret,
  ListQueryParser,
  ListRoute,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  CreateWebhookSubscriptionDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookSubscriptionDto,
  WebhookSubscriptionWithSecretDto,
} from './dto/webhook.dto';
import {
  WEBHOOK_DELIVERY_LIST,
  WEBHOOK_SUBSCRIPTION_LIST,
  WebhooksService,
} from './webhooks.service';

const URL_REFUSED = ApiUnprocessableEntityResponse({
  description: '`validation_error`, `webhook_url_not_allowed`, `unknown_event_type`',
  type: ErrorEnvelopeDto,
});

/**
 * Outbound webhook subscriptions and their deliveries (issue 19). Retrying a delivery and
 * rotating the secret need `webhooks:manage` (they act on what receivers get and trust).
 */
@ApiTags('webhooks')
@ApiNotFoundResponse({
  description: 'No such subscription (or delivery) in this organization',
  type: ErrorEnvelopeDto,
})
@Controller('webhook-subscriptions')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'webhooks:read',
    'The organization’s webhook subscriptions (never their secrets)',
    WEBHOOK_SUBSCRIPTION_LIST,
    WebhookSubscriptionDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<WebhookSubscriptionDto>> {
    return this.webhooks.list(
      orgId,
      await this.lists.resolve(WEBHOOK_SUBSCRIPTION_LIST, raw, scope),
    );
  }

  @CreateRoute(
    'webhook-subscriptions',
    'webhooks:create',
    'Subscribe a URL to event types; the answer carries the signing secret, shown only this once',
    WebhookSubscriptionWithSecretDto,
  )
  @IssuesSecret('secret')
  @URL_REFUSED
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateWebhookSubscriptionDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<WebhookSubscriptionWithSecretDto> {
    return this.webhooks.create(orgId, dto, context);
  }

  @ReadRoute(
    'webhooks:read',
    'One subscription (ETag for If-Match; never the secret)',
    WebhookSubscriptionDto,
  )
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<WebhookSubscriptionDto> {
    return this.webhooks.get(orgId, id);
  }

  @UpdateRoute(
    'webhooks:update',
    'Change, pause (`status: paused`) or resume (`active`, resets the failure count) a subscription',
    WebhookSubscriptionDto,
  )
  @URL_REFUSED
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateWebhookSubscriptionDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<WebhookSubscriptionDto> {
    return this.webhooks.update(orgId, id, dto, version, context);
  }

  @Post(':id/rotate-secret')
  @IssuesSecret('secret')
  @HttpCode(HttpStatus.CREATED)
  @RequirePermissions('webhooks:manage')
  @ApiOperation({
    summary:
      'Replace the signing secret (effective for the next attempt); the new secret is shown only this once',
  })
  @ApiCreatedResponse({ type: WebhookSubscriptionWithSecretDto })
  rotateSecret(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<WebhookSubscriptionWithSecretDto> {
    return this.webhooks.rotateSecret(orgId, id, version, context);
  }

  @DeleteRoute('webhooks:delete', 'Delete a subscription and its delivery history')
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.webhooks.delete(orgId, id, version, context);
  }

  @ListRoute(
    'webhooks:read',
    'The subscription’s deliveries, newest first; `status` filters (pending, retrying, succeeded, failed)',
    WEBHOOK_DELIVERY_LIST,
    WebhookDeliveryDto,
    ':id/deliveries',
  )
  async deliveries(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.listDeliveries(
      orgId,
      id,
      await this.lists.resolve(WEBHOOK_DELIVERY_LIST, raw, scope),
    );
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @RequirePermissions('webhooks:manage')
  @ApiOperation({
    summary:
      'Send a delivery again: it becomes due now and the worker makes a new attempt (202 with the delivery)',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  retry(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IdParam('deliveryId') deliveryId: string,
    @AuditContextParam() context: AuditContext,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.retryDelivery(orgId, id, deliveryId, context);
  }
}
