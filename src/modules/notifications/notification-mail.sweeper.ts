import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { TenantDatabase } from '../../core/tenancy';
import { MailService, NotificationMailItem } from '../mail';
import { MemberDirectory } from '../memberships';
import { OrganizationsService } from '../organizations';
import { localizedTitle } from './notification-titles';
import { ClaimedDelivery, DueMailGroup, NotificationsRepository } from './notifications.repository';

/** Notifications on one record for one person within this window make one e-mail (SPEC-P3 §4). */
export const COALESCE_WINDOW_MS = 5 * 60_000;
/** How often the worker looks for due e-mails. */
export const SWEEP_INTERVAL_MS = 30_000;
/** A delivery that failed this many times is `failed` for good. */
export const MAX_MAIL_ATTEMPTS = 5;
/** Items listed in one e-mail (a digest says how many there were in all). */
const MAX_ITEMS = 50;

/**
 * The worker side of notification e-mail. Every `SWEEP_INTERVAL_MS` (and on `flush()`), groups of
 * queued e-mail deliveries that are due by the injected `Clock` become one e-mail each:
 * - `immediate`: per (person, record): once its oldest item is 5 minutes old, every item queued
 *   on that record for that person so far goes in one `notification` e-mail (coalescing);
 * - `digest_daily`: per person and organization: once its oldest item is from an earlier UTC day,
 *   one `notification-digest` e-mail with all of them.
 * A group is claimed `FOR UPDATE SKIP LOCKED` in one transaction that queues the mail (the mail
 * queue retries delivery) and marks the rows `sent`, so two sweepers never send one group twice.
 * A recipient who is no longer an active member gets nothing (`skipped`); a failure to queue
 * keeps the rows `queued` with `last_error` until `MAX_MAIL_ATTEMPTS`, then `failed`.
 */
@Injectable()
export class NotificationMailSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationMailSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: NotificationsRepository,
    private readonly members: MemberDirectory,
    private readonly organizations: OrganizationsService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.link = `${config.app.publicUrl}/notifications`;
  }

  private readonly link: string;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.flush().catch((error: Error) => this.logger.warn(`mail sweep: ${error.message}`));
    }, SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends every due group now; resolves to the number of e-mails queued. One sweep at a time. */
  flush(): Promise<number> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<number> {
    const now = this.clock.now();
    const groups = await this.db.runAsSystem('background-jobs', (manager) =>
      this.repository.dueMailGroups(manager, now, COALESCE_WINDOW_MS),
    );
    let sent = 0;
    for (const group of groups) {
      if (await this.send(group, now)) sent += 1;
    }
    return sent;
  }

  private async send(group: DueMailGroup, now: Date): Promise<boolean> {
    const orgId = group.organization_id;
    return this.db.run(orgId, async (manager) => {
      const claimed = await this.repository.claimGroup(manager, orgId, group, now);
      if (claimed.length === 0) return false;
      const ids = claimed.map((d) => d.id);
      const [member] = await this.members.activeMembers(manager, orgId, {
        userIds: [group.recipient_user_id],
      });
      if (!member) {
        await this.repository.settleDeliveries(manager, orgId, ids, {
          status: 'skipped',
          error: 'not an active member',
          at: now,
        });
        return false;
      }
      const organization = await this.organizations.findInTransaction(manager, orgId);
      const language = member.language ?? organization?.language ?? 'en';
      const items = claimed.slice(0, MAX_ITEMS).map((d) => toItem(d, language));
      try {
        if (group.email_mode === 'digest_daily') {
          await this.mail.send(member.email, 'notification-digest', language, {
            name: member.fullName,
            organization: organization?.name ?? '',
            items,
            count: claimed.length,
            link: this.link,
          });
        } else {
          await this.mail.send(member.email, 'notification', language, {
            name: member.fullName,
            organization: organization?.name ?? '',
            items,
            link: this.link,
          });
        }
      } catch (error) {
        const attempts = Math.max(...claimed.map((d: ClaimedDelivery) => d.attempts)) + 1;
        await this.repository.settleDeliveries(manager, orgId, ids, {
          status: attempts >= MAX_MAIL_ATTEMPTS ? 'failed' : 'queued',
          error: (error as Error).message,
          at: now,
        });
        return false;
      }
      await this.repository.settleDeliveries(manager, orgId, ids, {
        status: 'sent',
        error: null,
        at: now,
      });
      return true;
    });
  }
}

/** One e-mail item, titled in the recipient's language when the type has translations. */
const toItem = (d: ClaimedDelivery, language: string): NotificationMailItem => ({
  title: localizedTitle(d.type, language, d.data, d.title),
  body: d.body ?? '',
  path: d.action_path ?? '',
});
