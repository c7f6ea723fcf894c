import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../../core/config';
import { EgressRefusedError, HttpEgress } from '../../core/http-egress';
import { TenantDatabase } from '../../core/tenancy';
import { APP_VERSION } from '../../core/version';
import { AccessService } from '../access';
import { AuditService } from '../audit';
import { MemberDirectory } from '../memberships';
import { NotificationsService } from '../notifications';
import { nextAttemptAt } from './webhook-backoff';
import { openSecret } from './webhook-secrets';
import { signPayload, SIGNATURE_HEADER } from './webhook-signature';
import { AttemptOutcome, ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

/** Deliveries claimed per pass (and sent concurrently). */
const BATCH = 100;
/** Cut of a receiver's answer kept on the delivery row. */
const RESPONSE_BODY_LIMIT = 1024;
const ERROR_LIMIT = 1000;

/** `User-Agent` of every delivery. */
export const USER_AGENT = `Alees-Webhooks/${APP_VERSION}`;

/**
 * Sends due webhook deliveries (worker only). Chosen over one Bull job per delivery: the
 * delivery row *is* the queue, so nothing is lost between the relay's commit and an enqueue, and
 * retries are a `next_attempt_at` — no second source of truth. A pass claims up to 100 due rows of
 * active subscriptions (`FOR UPDATE SKIP LOCKED`, several workers share the work) and leases them
 * (their `next_attempt_at` moves past the request timeout), sends them concurrently outside any
 * transaction through {@link HttpEgress} (the SSRF policy is applied again at each attempt), then
 * records every outcome in one transaction. A worker dying mid-pass leaves its rows due again when
 * the lease lapses (at-least-once: receivers dedupe on `X-Alees-Delivery`).
 *
 * Outcomes: 2xx → `succeeded` (the subscription's failure run resets); 410 Gone → `failed` and the
 * subscription paused (`gone`); a URL now refused by the policy → `failed`; anything else →
 * `retrying` at {@link nextAttemptAt} (30 s doubling to 1 h, jittered), or `failed` once past the
 * 24 h window. Every final failure counts toward `WEBHOOK_AUTO_PAUSE_FAILURES` in a row, which pauses
 * the subscription (`failures`); pauses are audited (`webhook_subscription.paused`).
 *
 * Passes run when woken (the fan-out's after-commit), back to back while batches are full, and
 * every `WEBHOOK_POLL_MS` otherwise (retries, redeliveries asked through the API).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: WebhooksRepository,
    private readonly egress: HttpEgress,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly access: AccessService,
    private readonly members: MemberDirectory,
    private readonly notifications: NotificationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs a pass now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Runs passes until none claims anything; returns how many deliveries were attempted (tests). */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      await this.running?.catch(() => undefined);
      const attempted = await this.runPass();
      total += attempted;
      if (attempted === 0) return total;
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), delayMs);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    let attempted = 0;
    try {
      attempted = await this.runPass();
    } catch (error) {
      this.logger.error({ err: error }, 'webhook dispatch pass failed');
    }
    const full = attempted >= BATCH || this.again;
    this.again = false;
    this.schedule(full ? 0 : this.config.webhooks.pollMs);
  }

  private runPass(): Promise<number> {
    if (this.running) return this.running.then(() => 0);
    this.running = this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const leaseMs = this.config.webhooks.timeoutMs + 30_000;
    const claimed = await this.db.runAsSystem('webhook-delivery', (manager) =>
      this.repository.claimDue(manager, BATCH, leaseMs),
    );
    if (claimed.length === 0) return 0;
    const outcomes = await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    const afterCommit: (() => void)[] = [];
    await this.db.runAsSystem('webhook-delivery', async (manager) => {
      for (const [index, delivery] of claimed.entries()) {
        const push = await this.record(manager, delivery, outcomes[index]);
        if (push) afterCommit.push(push);
      }
    });
    afterCommit.forEach((push) => push());
    return claimed.length;
  }

  /** One attempt: never throws; what happened is the outcome. */
  private async attempt(delivery: ClaimedDelivery): Promise<AttemptOutcome & { gone: boolean }> {
    const at = new Date();
    const fail = (
      error: string,
      final: boolean,
      extra: Partial<AttemptOutcome & { gone: boolean }> = {},
    ): AttemptOutcome & { gone: boolean } => {
      const next = final
        ? null
        : nextAttemptAt(delivery.attempts + 1, delivery.first_attempt_at ?? at, new Date(), {
            baseMs: this.config.webhooks.retryBaseMs,
            maxMs: this.config.webhooks.retryMaxMs,
            windowMs: this.config.webhooks.retryWindowMs,
          });
      return {
        status: next ? ('retrying' as const) : ('failed' as const),
        nextAttemptAt: next,
        responseStatus: null,
        latencyMs: null,
        responseBody: null,
        error: error.slice(0, ERROR_LIMIT),
        at,
        gone: false,
        ...extra,
      };
    };
    let secret: string;
    try {
      secret = openSecret(
        delivery.secret_sealed,
        this.config.webhooks.secretsKey,
        delivery.subscription_id,
      );
    } catch {
      return fail(
        'The signing secret cannot be read (WEBHOOK_SECRETS_KEY changed?): rotate it',
        true,
      );
    }
    const body = JSON.stringify(delivery.payload);
    try {
      const response = await this.egress.send({
        url: delivery.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-alees-event': delivery.event_type,
          'x-alees-delivery': delivery.id,
          [SIGNATURE_HEADER.toLowerCase()]: signPayload(secret, body, Date.now() / 1000),
        },
        body,
      });
      const answer = {
        responseStatus: response.status,
        latencyMs: response.latencyMs,
        responseBody: response.body.slice(0, RESPONSE_BODY_LIMIT),
      };
      if (response.status >= 200 && response.status < 300) {
        return {
          status: 'succeeded',
          nextAttemptAt: null,
          error: null,
          at,
          gone: false,
          ...answer,
        };
      }
      if (response.status === 410) {
        return fail('The receiver answered 410 Gone: subscription paused', true, {
          ...answer,
          gone: true,
        });
      }
      return fail(`The receiver answered ${response.status}`, false, answer);
    } catch (error) {
      if (error instanceof EgressRefusedError) {
        return fail(`webhook_url_not_allowed: ${error.message}`, true);
      }
      return fail(error instanceof Error ? error.message : String(error), false);
    }
  }

  /** Records one outcome; returns the realtime push of a pause notification, run after commit. */
  private async record(
    manager: EntityManager,
    delivery: ClaimedDelivery,
    outcome: AttemptOutcome & { gone: boolean },
  ): Promise<(() => void) | undefined> {
    const orgId = delivery.organization_id;
    await this.repository.recordAttempt(manager, orgId, delivery.id, outcome);
    if (outcome.status === 'succeeded') {
      await this.repository.resetFailures(manager, orgId, delivery.subscription_id);
      return undefined;
    }
    if (outcome.status === 'retrying') {
      this.logger.warn(
        {
          deliveryId: delivery.id,
          subscriptionId: delivery.subscription_id,
          status: outcome.responseStatus,
          error: outcome.error,
        },
        'webhook delivery attempt failed; retrying',
      );
      return undefined;
    }
    this.logger.warn(
      {
        deliveryId: delivery.id,
        subscriptionId: delivery.subscription_id,
        status: outcome.responseStatus,
        error: outcome.error,
      },
      'webhook delivery failed',
    );
    const paused = await this.repository.countFailure(
      manager,
      orgId,
      delivery.subscription_id,
      this.config.webhooks.autoPauseAfterFailures,
      outcome.gone,
    );
    if (paused) {
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'pause',
        entityType: 'webhook_subscription',
        entityId: paused.id,
        changes: { status: 'paused', pausedReason: paused.paused_reason },
        context: { actorUserId: null, actorApiKeyId: null, requestId: null, ip: null },
      });
      return this.notifyPaused(manager, orgId, paused.id, paused.name, paused.paused_reason);
    }
    return undefined;
  }

  /**
   * `webhook.paused` to the organization's active Owners and Admins (the system roles that hold
   * `webhooks:update`), once per pause (dedupe key: subscription and pause time).
   */
  private async notifyPaused(
    manager: EntityManager,
    orgId: string,
    subscriptionId: string,
    name: string,
    reason: string | null,
  ): Promise<() => void> {
    const recipients = new Set<string>();
    for (const role of ['Owner', 'Admin'] as const) {
      const roleId = await this.access.systemRoleId(role);
      for (const member of await this.members.activeMembers(manager, orgId, { roleId })) {
        recipients.add(member.userId);
      }
    }
    const result = await this.notifications.notify(manager, {
      organizationId: orgId,
      recipientUserIds: [...recipients],
      type: 'webhook.paused',
      actorUserId: null,
      title: `Webhook "${name}" paused`,
      body:
        reason === 'gone'
          ? 'Its receiver answered 410 Gone. Fix the receiver, then resume the subscription.'
          : `Its last ${this.config.webhooks.autoPauseAfterFailures} deliveries failed. Fix the receiver, then resume the subscription.`,
      actionPath: `/webhook-subscriptions/${subscriptionId}`,
      data: { subscriptionId, reason },
      dedupeKey: `webhook.paused:${subscriptionId}:${Date.now()}`,
      level: 'warning',
    });
    return result.afterCommit;
  }
}
