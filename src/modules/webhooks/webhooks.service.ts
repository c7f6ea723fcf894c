import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { AppConfig } from '../../core/config';
import { iso } from '../../core/database';
import { EgressRefusedError, HttpEgress } from '../../core/http-egress';
import {
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AuditService } from '../audit';
import type {
  CreateWebhookSubscriptionDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookSubscriptionDto,
  WebhookSubscriptionWithSecretDto,
} from './dto/webhook.dto';
import { DELIVERY_STATUSES, SUBSCRIPTION_STATUSES } from './webhook.entity';
import { eventTypeProblem } from './webhook-event-types';
import { generateSigningSecret, sealSecret } from './webhook-secrets';
import { WebhooksErrors } from './webhooks.errors';
import {
  DeliveryFilter,
  DeliveryRow,
  DeliverySort,
  SubscriptionFields,
  SubscriptionFilter,
  SubscriptionRow,
  SubscriptionSort,
  WebhooksRepository,
} from './webhooks.repository';

/** The subscriptions list: sort name/createdAt, filter `status`, `?filter=` on the fields below. */
export const WEBHOOK_SUBSCRIPTION_LIST: ListDefinition<SubscriptionSort, SubscriptionFilter> =
  defineList({
    resource: 'webhook-subscriptions',
    sortable: ['name', 'createdAt'],
    defaultSort: 'name',
    filters: { status: { enum: SUBSCRIPTION_STATUSES } },
    fields: {
      id: { type: 'uuid', column: 'webhook_subscriptions.id' },
      name: { type: 'string', column: 'webhook_subscriptions.name' },
      url: { type: 'text', column: 'webhook_subscriptions.url' },
      status: { type: { enum: SUBSCRIPTION_STATUSES }, column: 'webhook_subscriptions.status' },
      createdAt: { type: 'datetime', column: 'webhook_subscriptions.created_at' },
      updatedAt: { type: 'datetime', column: 'webhook_subscriptions.updated_at' },
    },
  });

/** A subscription's deliveries: newest first, filters `status` and `eventType`. */
export const WEBHOOK_DELIVERY_LIST: ListDefinition<DeliverySort, DeliveryFilter> = defineList({
  resource: 'webhook-deliveries',
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  filters: { status: { enum: DELIVERY_STATUSES }, eventType: 'string' },
  fields: {
    id: { type: 'uuid', column: 'webhook_deliveries.id' },
    eventType: { type: 'text', column: 'webhook_deliveries.event_type' },
    status: { type: { enum: DELIVERY_STATUSES }, column: 'webhook_deliveries.status' },
    attempts: { type: 'int', column: 'webhook_deliveries.attempts' },
    responseStatus: { type: 'int', column: 'webhook_deliveries.response_status' },
    createdAt: { type: 'datetime', column: 'webhook_deliveries.created_at' },
  },
});

const toDto = (row: SubscriptionRow): WebhookSubscriptionDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  url: row.url,
  eventTypes: row.event_types,
  status: row.status,
  pausedReason: row.paused_reason,
  consecutiveFailures: row.consecutive_failures,
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** A delivery row as the API shows it. */
export const toDeliveryDto = (row: DeliveryRow): WebhookDeliveryDto => ({
  id: row.id,
  subscriptionId: row.subscription_id,
  eventId: row.event_id,
  eventType: row.event_type,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: iso(row.next_attempt_at) ?? null,
  lastAttemptAt: iso(row.last_attempt_at) ?? null,
  responseStatus: row.response_status,
  latencyMs: row.latency_ms,
  responseBody: row.response_body,
  error: row.error,
  attemptLog: row.attempt_log,
  createdAt: iso(row.created_at)!,
});

const EDITABLE: (keyof WebhookSubscriptionDto)[] = [
  'name',
  'description',
  'url',
  'eventTypes',
  'status',
  'pausedReason',
];

/**
 * Webhook subscriptions and their deliveries (issue 19). The URL is checked by the SSRF policy
 * ({@link HttpEgress.check}: DNS resolved, every address public unless allow-listed) before the
 * transaction opens, on creation and on a URL change (422 `webhook_url_not_allowed`), and again by
 * the dispatcher at every delivery. The signing secret is generated here, sealed (AES-256-GCM)
 * before it is stored, answered once (creation, rotation) and never written to the audit log.
 * Every write is audited in its transaction (`webhook_subscription.created|updated|deleted|
 * secret_rotated`; a redelivery is audited as `redeliver` without an event).
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: WebhooksRepository,
    private readonly audit: AuditService,
    private readonly egress: HttpEgress,
    private readonly config: AppConfig,
  ) {}

  /** A page of the organization's subscriptions (never their secrets). */
  list(
    orgId: string,
    query: ListQuery<SubscriptionSort, SubscriptionFilter>,
  ): Promise<Page<WebhookSubscriptionDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.pageSubscriptions(manager, orgId, query);
      return toPage(rows.map(toDto), total, query);
    });
  }

  /** One subscription; 404 when missing or another organization's. */
  get(orgId: string, id: string): Promise<WebhookSubscriptionDto> {
    return this.db.read(orgId, async (manager) => toDto(await this.find(manager, orgId, id)));
  }

  /** Creates a subscription and answers it with its secret (the only time it is shown). */
  async create(
    orgId: string,
    dto: CreateWebhookSubscriptionDto,
    context: AuditContext,
  ): Promise<WebhookSubscriptionWithSecretDto> {
    checkEventTypes(dto.eventTypes);
    await this.checkUrl(dto.url);
    const id = uuidv7();
    const secret = generateSigningSecret();
    const status = dto.status ?? 'active';
    const fields: SubscriptionFields = {
      name: dto.name,
      description: dto.description ?? null,
      url: dto.url,
      eventTypes: dto.eventTypes,
      status,
      pausedReason: status === 'paused' ? 'manual' : null,
    };
    return this.db.run(orgId, async (manager) => {
      const row = await this.repository.insertSubscription(manager, orgId, {
        id,
        secretSealed: sealSecret(secret, this.config.webhooks.secretsKey, id),
        ...fields,
      });
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'webhook_subscription',
        entityId: id,
        changes: { ...fields },
        context,
      });
      return { ...toDto(row), secret };
    });
  }

  /** Changes a subscription (`If-Match` honoured, 412); pausing by hand sets `manual`. */
  async update(
    orgId: string,
    id: string,
    dto: UpdateWebhookSubscriptionDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<WebhookSubscriptionDto> {
    // Another organization's id is 404 before its body is judged (the URL check resolves DNS,
    // so it runs before the transaction, not inside it).
    await this.get(orgId, id);
    if (dto.eventTypes) checkEventTypes(dto.eventTypes);
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id, true);
      assertVersionMatches(expectedVersion, row.version);
      const before = toDto(row);
      const status = dto.status ?? row.status;
      const next: SubscriptionFields = {
        name: dto.name ?? row.name,
        description: dto.description === undefined ? row.description : dto.description,
        url: dto.url ?? row.url,
        eventTypes: dto.eventTypes ?? row.event_types,
        status,
        pausedReason:
          status === 'active' ? null : row.status === 'paused' ? row.paused_reason : 'manual',
      };
      return this.audit.recordUpdate(
        manager,
        before,
        EDITABLE,
        async () =>
          toDto(await this.repository.updateSubscription(manager, orgId, id, row.version, next)),
        {
          organizationId: orgId,
          action: 'update',
          entityType: 'webhook_subscription',
          entityId: id,
          context,
        },
      );
    });
  }

  /** A new secret replaces the old one at once (`If-Match` honoured); answered once. */
  rotateSecret(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<WebhookSubscriptionWithSecretDto> {
    const secret = generateSigningSecret();
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id, true);
      assertVersionMatches(expectedVersion, row.version);
      const updated = await this.repository.setSecret(
        manager,
        orgId,
        id,
        row.version,
        sealSecret(secret, this.config.webhooks.secretsKey, id),
      );
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'rotate_secret',
        entityType: 'webhook_subscription',
        entityId: id,
        changes: { secret: 'rotated' },
        context,
        event: { type: 'webhook_subscription.secret_rotated' },
      });
      return { ...toDto(updated), secret };
    });
  }

  /** Deletes a subscription and its deliveries (`If-Match` honoured). */
  delete(
    orgId: string,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.find(manager, orgId, id, true);
      assertVersionMatches(expectedVersion, row.version);
      await this.repository.deleteSubscription(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'delete',
        entityType: 'webhook_subscription',
        entityId: id,
        changes: { name: row.name, url: row.url },
        context,
      });
    });
  }

  /** A page of the subscription's deliveries, newest first; 404 for an invisible subscription. */
  listDeliveries(
    orgId: string,
    subscriptionId: string,
    query: ListQuery<DeliverySort, DeliveryFilter>,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.db.read(orgId, async (manager) => {
      await this.find(manager, orgId, subscriptionId);
      const { rows, total } = await this.repository.pageDeliveries(
        manager,
        orgId,
        subscriptionId,
        query,
      );
      return toPage(rows.map(toDeliveryDto), total, query);
    });
  }

  /**
   * Makes a delivery due now (a new attempt, counted on the same row); the dispatcher sends it
   * within `WEBHOOK_POLL_MS` (while the subscription is paused it waits). 404 when the delivery is
   * not one of this subscription's in this organization.
   */
  retryDelivery(
    orgId: string,
    subscriptionId: string,
    deliveryId: string,
    context: AuditContext,
  ): Promise<WebhookDeliveryDto> {
    return this.db.run(orgId, async (manager) => {
      await this.find(manager, orgId, subscriptionId);
      const row = await this.repository.requeueDelivery(manager, orgId, subscriptionId, deliveryId);
      if (!row) throw new NotFoundError('Webhook delivery');
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'redeliver',
        entityType: 'webhook_subscription',
        entityId: subscriptionId,
        changes: { deliveryId, eventId: row.event_id },
        context,
        event: { skip: true },
      });
      return toDeliveryDto(row);
    });
  }

  private async find(
    manager: EntityManager,
    orgId: string,
    id: string,
    lock = false,
  ): Promise<SubscriptionRow> {
    const row = await this.repository.findSubscription(manager, orgId, id, lock);
    if (!row) throw new NotFoundError('Webhook subscription');
    return row;
  }

  /** 422 `webhook_url_not_allowed` unless the SSRF policy accepts the URL now. */
  private async checkUrl(url: string): Promise<void> {
    try {
      await this.egress.check(url);
    } catch (error) {
      if (error instanceof EgressRefusedError) {
        throw WebhooksErrors.webhook_url_not_allowed(error.message, error.reason, error.range);
      }
      throw error;
    }
  }
}

/** 422 `unknown_event_type` (pointer to the item) for a pattern of no known resource. */
function checkEventTypes(patterns: readonly string[]): void {
  patterns.forEach((pattern, index) => {
    const problem = eventTypeProblem(pattern);
    if (problem) throw WebhooksErrors.unknown_event_type(pattern, index, problem);
  });
}
