import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AuditContext } from '../../core/auth';
import { Clock } from '../../core/clock';
import { AppConfig } from '../../core/config';
import { iso } from '../../core/database';
import {
  assertVersionMatches,
  defineList,
  ExpectedVersion,
  FieldIssue,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
  ValidationFailedError,
} from '../../core/http';
import { TargetRegistry } from '../../core/targets';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { AuditService } from '../audit';
import { JobsService } from '../jobs';
import { MailService } from '../mail';
import { MemberDirectory } from '../memberships';
import { OrganizationsService } from '../organizations';
import type {
  CalendarFeedTokenDto,
  CreateMeetingDto,
  JoinDto,
  MeetingDto,
  ParticipantDto,
  ParticipantInputDto,
  UpdateMeetingDto,
} from './dto/meeting.dto';
import { CalendarMeeting, meetingCalendar } from './meeting-calendar';
import { MEETING_ROOM_TASK } from './meeting-room.job';
import {
  canonicalTimeZone,
  instantOf,
  intervalProblem,
  joinTokenExpiry,
  joinWindow,
  localStart,
} from './meeting-rules';
import type {
  MeetingStatus,
  ParticipantRole,
  RsvpResponse,
  VideoProviderName,
} from './meeting.entity';
import { MeetingsErrors } from './meetings.errors';
import {
  MEETING_FILTER_FIELDS,
  MeetingFields,
  MeetingFilter,
  MeetingRow,
  MeetingSort,
  MeetingsRepository,
  ParticipantRow,
} from './meetings.repository';
import { parseJitsiRoomName, VideoProviders } from './video-provider';

export const MEETING_LIST: ListDefinition<MeetingSort, MeetingFilter> = defineList({
  resource: 'meetings',
  sortable: ['startsAt', 'createdAt', 'title'],
  defaultSort: 'startsAt',
  filters: {
    status: { enum: ['scheduled', 'in_progress', 'ended', 'cancelled', 'provider_error'] },
    host: 'uuid',
  },
  fields: MEETING_FILTER_FIELDS,
});

/** The signed-in member acting (meetings are hosted and joined by people, not API keys). */
export interface MeetingCaller {
  userId: string;
  permissions: ReadonlySet<string>;
}

/** Statuses in which a meeting no longer changes, nor is joined. */
const CLOSED: readonly string[] = ['cancelled', 'ended'];
/** How many meetings a calendar feed carries at most, and how far back (30 days). */
const FEED_LIMIT = 500;
const FEED_PAST_MS = 30 * 24 * 60 * 60 * 1000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

const toParticipant = (row: ParticipantRow): ParticipantDto => ({
  id: row.id,
  userId: row.user_id,
  email: row.email ?? row.user_email,
  name: row.user_name,
  role: row.role as ParticipantRole,
  rsvp: row.rsvp as RsvpResponse,
  joinedAt: iso(row.joined_at),
  leftAt: iso(row.left_at),
});

const toDto = (row: MeetingRow, participants: ParticipantRow[]): MeetingDto => ({
  id: row.id,
  title: row.title,
  description: row.description,
  startsAt: iso(row.starts_at)!,
  endsAt: iso(row.ends_at)!,
  timezone: row.timezone,
  status: row.status as MeetingStatus,
  hostUserId: row.host_user_id,
  targetType: row.target_type,
  targetId: row.target_id,
  provider: row.provider as VideoProviderName,
  providerRoomId: row.provider_room_id,
  joinUrl: row.join_url,
  icsUid: row.ics_uid,
  icsSequence: row.ics_sequence,
  participants: participants.filter((p) => p.meeting_id === row.id).map(toParticipant),
  createdAt: iso(row.created_at)!,
  updatedAt: iso(row.updated_at)!,
  version: row.version,
});

/** The fields of a row as the repository writes them. */
const fieldsOf = (row: MeetingRow): MeetingFields => ({
  title: row.title,
  description: row.description,
  startsAt: new Date(row.starts_at),
  endsAt: new Date(row.ends_at),
  timezone: row.timezone,
  status: row.status,
  providerRoomId: row.provider_room_id,
  joinUrl: row.join_url,
  icsSequence: row.ics_sequence,
});

/**
 * Meetings (SPEC-P3 §10): CRUD with the interval, zone, link and participant rules; invitations
 * (iCalendar REQUEST on create and reschedule, CANCEL on cancel) queued in the transaction of the
 * change; join grants from the video provider; iCalendar downloads and personal feeds; provider
 * webhooks. Changes are made by the host or a holder of `meetings:manage` (else 403
 * `not_meeting_host`). Every write is audited, which publishes `meeting.<verb>`.
 */
@Injectable()
export class MeetingsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly repository: MeetingsRepository,
    private readonly audit: AuditService,
    private readonly targets: TargetRegistry,
    private readonly members: MemberDirectory,
    private readonly organizations: OrganizationsService,
    private readonly mail: MailService,
    private readonly providers: VideoProviders,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly jobs: JobsService,
    private readonly access: AccessService,
  ) {}

  /** One page of the organization's meetings (filters: status, host, `?filter=` grammar). */
  list(orgId: string, query: ListQuery<MeetingSort, MeetingFilter>): Promise<Page<MeetingDto>> {
    return this.db.read(orgId, async (manager) => {
      const { rows, total } = await this.repository.list(manager, orgId, query);
      const participants = await this.repository.participants(
        manager,
        orgId,
        rows.map((r) => r.id),
      );
      return toPage(
        rows.map((row) => toDto(row, participants)),
        total,
        query,
      );
    });
  }

  /** One meeting with its participants; 404 for another organization's or a missing one. */
  get(orgId: string, id: string): Promise<MeetingDto> {
    return this.db.read(orgId, (manager) => this.load(manager, orgId, id));
  }

  /**
   * Creates a meeting hosted by the caller (also its first participant, role host, accepted),
   * invites `participants` and queues their invitations (iCalendar METHOD:REQUEST). 422
   * `validation_error` (with pointers) for a bad interval, zone, link or participant; 404 for a
   * target the caller cannot read.
   */
  create(
    orgId: string,
    caller: MeetingCaller,
    dto: CreateMeetingDto,
    context: AuditContext,
  ): Promise<MeetingDto> {
    const provider: VideoProviderName =
      dto.provider ?? (dto.joinUrl !== undefined ? 'none' : this.config.video.provider);
    const issues: FieldIssue[] = [];
    const timing = this.timing(dto.startsAt, dto.endsAt, dto.timezone, issues);
    this.checkLink(provider, dto.joinUrl ?? null, issues);
    if (dto.targetType !== undefined && dto.targetId === undefined) {
      issues.push({ pointer: '/targetId', detail: 'targetId is required with targetType' });
    }
    if (issues.length > 0 || !timing) throw new ValidationFailedError(issues);
    return this.db.run(orgId, async (manager) => {
      if (dto.targetType !== undefined) {
        await this.targets.assertAccessible(
          manager,
          orgId,
          caller.permissions,
          dto.targetType,
          dto.targetId!,
        );
      }
      const people = await this.resolveParticipants(
        manager,
        orgId,
        dto.participants ?? [],
        '/participants',
      );
      const id = uuidv7();
      const room = this.providers.get(provider).plannedRoom({
        organizationId: orgId,
        meetingId: id,
        joinUrl: dto.joinUrl ?? null,
      });
      const row = await this.repository.insert(manager, orgId, {
        id,
        hostUserId: caller.userId,
        provider,
        targetType: dto.targetType ?? null,
        targetId: dto.targetId ?? null,
        icsUid: `${id}@alees`,
        title: dto.title,
        description: dto.description ?? null,
        ...timing,
        status: 'scheduled',
        providerRoomId: room.roomId,
        joinUrl: room.joinUrl,
        icsSequence: 0,
      });
      await this.repository.addParticipants(manager, orgId, id, [
        { userId: caller.userId, email: null, role: 'host', rsvp: 'accepted' },
        ...people.filter((p) => p.userId !== caller.userId),
      ]);
      const created = await this.load(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'create',
        entityType: 'meeting',
        entityId: id,
        changes: {
          title: row.title,
          startsAt: created.startsAt,
          endsAt: created.endsAt,
          timezone: row.timezone,
          provider,
          participants: created.participants.length,
        },
        context,
        event: {
          data: {
            target: dto.targetType ? { entityType: dto.targetType, entityId: dto.targetId } : null,
          },
        },
      });
      await this.syncRoom(orgId, created, 'create', context);
      await this.invite(manager, orgId, created, 'REQUEST', created.participants, caller.userId);
      return created;
    });
  }

  /**
   * Changes a meeting (`If-Match` honoured, 412). A change of time, zone or link is a reschedule:
   * `icsSequence` + 1 and every participant gets the updated invitation (METHOD:REQUEST). A
   * cancelled or ended meeting → 409 `meeting_cancelled`.
   */
  update(
    orgId: string,
    caller: MeetingCaller,
    id: string,
    dto: UpdateMeetingDto,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<MeetingDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.changeable(manager, orgId, caller, id);
      assertVersionMatches(expectedVersion, row.version);
      const before = fieldsOf(row);
      const timezone = dto.timezone ?? row.timezone;
      const issues: FieldIssue[] = [];
      const timing = this.timing(
        dto.startsAt ?? before.startsAt.toISOString(),
        dto.endsAt ?? before.endsAt.toISOString(),
        timezone,
        issues,
      );
      if (dto.joinUrl !== undefined)
        this.checkLink(row.provider as VideoProviderName, dto.joinUrl, issues);
      if (issues.length > 0 || !timing) throw new ValidationFailedError(issues);
      const next: MeetingFields = {
        ...before,
        title: dto.title ?? before.title,
        description: dto.description !== undefined ? dto.description : before.description,
        ...timing,
        joinUrl: dto.joinUrl ?? before.joinUrl,
      };
      const rescheduled =
        next.startsAt.getTime() !== before.startsAt.getTime() ||
        next.endsAt.getTime() !== before.endsAt.getTime() ||
        next.timezone !== before.timezone ||
        next.joinUrl !== before.joinUrl;
      if (rescheduled) {
        const room = await this.providers
          .get(row.provider as VideoProviderName)
          .updateRoom(
            { organizationId: orgId, meetingId: id, joinUrl: next.joinUrl },
            row.provider_room_id,
          );
        next.providerRoomId = room.roomId;
        next.joinUrl = room.joinUrl;
        next.icsSequence = before.icsSequence + 1;
      }
      const changed = (Object.keys(next) as (keyof MeetingFields)[]).filter(
        (key) =>
          String(next[key] instanceof Date ? (next[key] as Date).getTime() : next[key]) !==
          String(before[key] instanceof Date ? (before[key] as Date).getTime() : before[key]),
      );
      if (changed.length === 0) return this.load(manager, orgId, id);
      await this.repository.update(manager, orgId, id, row.version, next);
      const updated = await this.load(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'meeting',
        entityId: id,
        changes: Object.fromEntries(changed.map((key) => [key, next[key]])),
        context,
      });
      if (rescheduled) {
        await this.invite(
          manager,
          orgId,
          updated,
          'REQUEST',
          updated.participants,
          caller.userId,
          true,
        );
      }
      return updated;
    });
  }

  /**
   * Cancels a meeting: status `cancelled`, `icsSequence` + 1, every participant gets METHOD:CANCEL.
   * Already cancelled or ended → 409 `meeting_cancelled`. Publishes `meeting.cancelled`.
   */
  cancel(
    orgId: string,
    caller: MeetingCaller,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<MeetingDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.changeable(manager, orgId, caller, id);
      assertVersionMatches(expectedVersion, row.version);
      const before = fieldsOf(row);
      await this.repository.update(manager, orgId, id, row.version, {
        ...before,
        status: 'cancelled',
        icsSequence: before.icsSequence + 1,
      });
      const cancelled = await this.load(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'cancel',
        entityType: 'meeting',
        entityId: id,
        changes: { status: 'cancelled', icsSequence: cancelled.icsSequence },
        context,
      });
      await this.syncRoom(orgId, cancelled, 'delete', context);
      await this.invite(manager, orgId, cancelled, 'CANCEL', cancelled.participants, caller.userId);
      return cancelled;
    });
  }

  /**
   * Deletes a meeting with its participants (and what hangs off it as a target: comments,
   * followers, …). Participants are not notified: cancel first to tell them.
   */
  delete(
    orgId: string,
    caller: MeetingCaller,
    id: string,
    expectedVersion: ExpectedVersion,
    context: AuditContext,
  ): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      await this.audit.deleteGuarded(manager, expectedVersion, {
        read: async () => {
          const row = await this.owned(manager, orgId, caller, id);
          return {
            version: row.version,
            title: row.title,
            providerRoomId: row.provider_room_id,
            provider: row.provider,
          };
        },
        remove: async () => {
          const row = await this.repository.find(manager, orgId, id);
          await this.repository.delete(manager, orgId, id);
          if (row) await this.syncRoom(orgId, toDto(row, []), 'delete', context);
        },
        target: 'meeting',
        entry: { organizationId: orgId, entityType: 'meeting', entityId: id, context },
        changes: (before) => ({ title: before.title }),
      });
    });
  }

  /**
   * Invites more people (members of the organization or external addresses; those already
   * invited are skipped) and sends them the invitation. 422 for a non-member user id.
   */
  addParticipants(
    orgId: string,
    caller: MeetingCaller,
    id: string,
    participants: ParticipantInputDto[],
    context: AuditContext,
  ): Promise<MeetingDto> {
    return this.db.run(orgId, async (manager) => {
      await this.changeable(manager, orgId, caller, id);
      const people = await this.resolveParticipants(manager, orgId, participants, '/participants');
      const added = await this.repository.addParticipants(manager, orgId, id, people);
      const meeting = await this.load(manager, orgId, id);
      if (added.length === 0) return meeting;
      await this.repository.touch(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'meeting',
        entityId: id,
        changes: { participantsAdded: added },
        context,
        event: { type: 'meeting.participants_added', data: { participantIds: added } },
      });
      const invitees = meeting.participants.filter((p) => added.includes(p.id));
      await this.invite(manager, orgId, meeting, 'REQUEST', invitees, caller.userId);
      return this.load(manager, orgId, id);
    });
  }

  /** Removes a participant (not the host: 409) and sends them METHOD:CANCEL. 404 when absent. */
  removeParticipant(
    orgId: string,
    caller: MeetingCaller,
    id: string,
    participantId: string,
    context: AuditContext,
  ): Promise<MeetingDto> {
    return this.db.run(orgId, async (manager) => {
      await this.changeable(manager, orgId, caller, id);
      const meeting = await this.load(manager, orgId, id);
      const participant = meeting.participants.find((p) => p.id === participantId);
      if (!participant) throw new NotFoundError('Participant');
      if (participant.role === 'host') throw MeetingsErrors.host_cannot_be_removed();
      await this.repository.removeParticipant(manager, orgId, id, participantId);
      await this.repository.touch(manager, orgId, id);
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'update',
        entityType: 'meeting',
        entityId: id,
        changes: { participantRemoved: participantId },
        context,
        event: { type: 'meeting.participant_removed', data: { participantId } },
      });
      await this.invite(manager, orgId, meeting, 'CANCEL', [participant], caller.userId);
      return this.load(manager, orgId, id);
    });
  }

  /** The caller answers their own invitation; 403 `not_a_participant` when not invited. */
  rsvp(
    orgId: string,
    userId: string,
    id: string,
    response: RsvpResponse,
    context: AuditContext,
  ): Promise<MeetingDto> {
    return this.db.run(orgId, async (manager) => {
      const row = await this.repository.find(manager, orgId, id, { forUpdate: true });
      if (!row) throw new NotFoundError('Meeting');
      if (CLOSED.includes(row.status)) throw MeetingsErrors.meeting_cancelled(row.status);
      const previous = await this.repository.setRsvp(manager, orgId, id, userId, response);
      if (previous === undefined) throw MeetingsErrors.not_a_participant();
      if (previous !== response) {
        await this.audit.record(manager, {
          organizationId: orgId,
          action: 'rsvp',
          entityType: 'meeting',
          entityId: id,
          changes: { userId, rsvp: response },
          context,
          event: { type: 'meeting.rsvp_changed', data: { userId, rsvp: response } },
        });
      }
      return this.load(manager, orgId, id);
    });
  }

  /**
   * A join grant for the caller (host or participant, else 403 `not_a_participant`) from 15
   * minutes before the start until the end (else 409 `join_window_closed`); cancelled/ended → 409.
   * The token lives until the end, at most 2 hours; it is returned once, never stored nor logged.
   */
  join(orgId: string, userId: string, id: string): Promise<JoinDto> {
    return this.db.read(orgId, async (manager) => {
      const row = await this.repository.find(manager, orgId, id);
      if (!row) throw new NotFoundError('Meeting');
      const [participants, [member]] = await Promise.all([
        this.repository.participants(manager, orgId, [id]),
        this.members.activeMembers(manager, orgId, { userIds: [userId] }),
      ]);
      const me = participants.find((p) => p.user_id === userId);
      if (!me || !member) throw MeetingsErrors.not_a_participant();
      if (CLOSED.includes(row.status)) throw MeetingsErrors.meeting_cancelled(row.status);
      const now = this.clock.now();
      const window = joinWindow(now, row.starts_at, row.ends_at);
      if (window !== 'open') throw MeetingsErrors.join_window_closed(window);
      const grant = this.providers
        .get(row.provider as VideoProviderName)
        .createJoinToken(
          { roomId: row.provider_room_id, joinUrl: row.join_url },
          { id: userId, name: member.fullName, email: member.email },
          me.role as ParticipantRole,
          joinTokenExpiry(now, row.ends_at),
          now,
        );
      return { url: grant.url, token: grant.token, expiresAt: grant.expiresAt.toISOString() };
    });
  }

  /**
   * The meeting as an iCalendar file (no METHOD: a download to import), as `view` shows it to the
   * caller (the join link only for those who may join: `meetingFor`).
   */
  ics(orgId: string, id: string, view: (meeting: MeetingDto) => MeetingDto): Promise<string> {
    return this.db.read(orgId, async (manager) => {
      const meeting = view(await this.load(manager, orgId, id));
      return meetingCalendar([await this.calendarMeeting(manager, orgId, meeting)]);
    });
  }

  /**
   * A new personal feed token (shown once; only its SHA-256 is stored). The token names the
   * organization (`<organization id>.<32 random bytes, base64url>`), so the public feed route
   * reads it inside that organization's row-level security.
   */
  createFeedToken(
    orgId: string,
    userId: string,
    context: AuditContext,
  ): Promise<CalendarFeedTokenDto> {
    const token = `${orgId}.${randomBytes(32).toString('base64url')}`;
    return this.db.run(orgId, async (manager) => {
      const row = await this.repository.insertFeedToken(manager, orgId, userId, sha256(token));
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'calendar_feed.create',
        entityType: 'calendar_feed_token',
        entityId: row.id,
        context,
      });
      return {
        id: row.id,
        token,
        url: `${this.config.files.publicApiUrl}/${this.config.app.apiPrefix}/me/calendar.ics?token=${token}`,
        createdAt: iso(row.created_at)!,
      };
    });
  }

  /** Revokes one of the caller's feed tokens; 404 when it is not theirs or already revoked. */
  revokeFeedToken(orgId: string, userId: string, id: string, context: AuditContext): Promise<void> {
    return this.db.run(orgId, async (manager) => {
      if (!(await this.repository.revokeFeedToken(manager, orgId, userId, id))) {
        throw new NotFoundError('Calendar feed token');
      }
      await this.audit.record(manager, {
        organizationId: orgId,
        action: 'calendar_feed.revoke',
        entityType: 'calendar_feed_token',
        entityId: id,
        context,
      });
    });
  }

  /**
   * The feed of a token's owner: their meetings (host or participant) that ended at most 30 days
   * ago, at most 500, cancelled ones marked so. An unknown, malformed or revoked token, or one
   * whose owner is no longer an active member of the organization (suspended, removed) or no
   * longer holds `meetings:read` → 404.
   */
  async feed(token: string): Promise<string> {
    // A UUID exactly: anything else would reach PostgreSQL as a malformed uuid (a 500).
    const orgId =
      /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/.exec(
        token,
      )?.[1];
    if (!orgId) throw new NotFoundError('Calendar feed');
    const userId = await this.db.read(orgId, (manager) =>
      this.repository.feedTokenUser(manager, orgId, sha256(token)),
    );
    if (!userId) throw new NotFoundError('Calendar feed');
    // A token whose owner's roles no longer give meetings:read (what creating it required) reads
    // nothing (resolved outside the read below: AccessService opens its own transaction).
    const access = await this.access.resolve(userId, orgId, false);
    if (!access.member || !access.permissions.includes('meetings:read')) {
      throw new NotFoundError('Calendar feed');
    }
    return this.db.read(orgId, async (manager) => {
      // Nor does a suspended or removed member's (as their session would not).
      const [member] = await this.members.activeMembers(manager, orgId, { userIds: [userId] });
      if (!member) throw new NotFoundError('Calendar feed');
      const since = new Date(this.clock.now().getTime() - FEED_PAST_MS);
      const rows = await this.repository.forParticipant(manager, orgId, userId, since, FEED_LIMIT);
      const participants = await this.repository.participants(
        manager,
        orgId,
        rows.map((r) => r.id),
      );
      const meetings: CalendarMeeting[] = [];
      for (const row of rows) {
        meetings.push(await this.calendarMeeting(manager, orgId, toDto(row, participants)));
      }
      return meetingCalendar(meetings, { name: 'Alees meetings' });
    });
  }

  /**
   * A provider webhook (`POST /integrations/video/{provider}/webhook`): the signature over the raw
   * body and a timestamp within 5 minutes (else 401 `invalid_webhook_signature`, nothing written);
   * a room of no meeting (deleted, or of a purged organization) → `ignored` (nothing written); an
   * event id seen before → `duplicate` (nothing written).
   * `participant_joined`/`room_created` start the meeting (`in_progress`), `room_destroyed` ends
   * it; joins and leaves stamp the participant.
   */
  async handleWebhook(
    providerName: string,
    rawBody: string,
    headers: Record<string, unknown>,
  ): Promise<'processed' | 'duplicate' | 'ignored'> {
    if (providerName !== 'jitsi') throw new NotFoundError('Video provider');
    const provider = this.providers.get(providerName);
    if (!provider.verifyWebhook(rawBody, headers, this.clock.now())) {
      throw MeetingsErrors.invalid_webhook_signature();
    }
    const event = parseProviderEvent(rawBody);
    const room = parseJitsiRoomName(event.room);
    if (!room) return 'ignored';
    return this.db.run(room.organizationId, async (manager) => {
      const row = await this.repository.find(manager, room.organizationId, room.meetingId, {
        forUpdate: true,
      });
      // No meeting (deleted, or its organization purged: the event row's key would fail): nothing
      // to do nor to remember, acknowledged so the provider stops retrying.
      if (!row) return 'ignored';
      const fresh = await this.repository.recordProviderEvent(manager, room.organizationId, {
        provider: providerName,
        eventId: event.eventId,
        type: event.type,
        meetingId: row.id,
      });
      if (!fresh) return 'duplicate';
      const at = event.occurredAt ?? this.clock.now();
      if (
        event.userId &&
        (event.type === 'participant_joined' || event.type === 'participant_left')
      ) {
        await this.repository.stampPresence(
          manager,
          room.organizationId,
          row.id,
          event.userId,
          event.type === 'participant_joined' ? 'joined' : 'left',
          at,
        );
      }
      const status =
        (event.type === 'room_created' || event.type === 'participant_joined') &&
        row.status === 'scheduled'
          ? 'in_progress'
          : event.type === 'room_destroyed' && row.status === 'in_progress'
            ? 'ended'
            : null;
      if (status) {
        await this.repository.setStatus(manager, room.organizationId, row.id, status);
        await this.audit.record(manager, {
          organizationId: room.organizationId,
          action: 'update',
          entityType: 'meeting',
          entityId: row.id,
          changes: { status },
          context: { actorUserId: null, actorApiKeyId: null, requestId: null, ip: null },
          event: { data: { providerEventId: event.eventId } },
        });
      }
      return 'processed';
    });
  }

  /**
   * Queues the room job (`meetings.room`, worker, retried) for a meeting with a video provider:
   * `create`/`update` set the room up at the provider, `delete` removes it. In the caller's transaction, as
   * mail is: if the queue is down the change answers 503 and is rolled back.
   */
  private async syncRoom(
    orgId: string,
    meeting: MeetingDto,
    action: 'create' | 'update' | 'delete',
    context: AuditContext,
  ): Promise<void> {
    if (meeting.provider === 'none') return;
    await this.jobs.start(
      MEETING_ROOM_TASK,
      { meetingId: meeting.id, action, provider: meeting.provider, roomId: meeting.providerRoomId },
      orgId,
      context,
    );
  }

  /** The meeting and its participants as the DTO; 404 when the organization has none. */
  private async load(manager: EntityManager, orgId: string, id: string): Promise<MeetingDto> {
    const row = await this.repository.find(manager, orgId, id);
    if (!row) throw new NotFoundError('Meeting');
    return toDto(row, await this.repository.participants(manager, orgId, [id]));
  }

  /** The meeting, locked, if the caller hosts it or holds `meetings:manage` (else 403). */
  private async owned(
    manager: EntityManager,
    orgId: string,
    caller: MeetingCaller,
    id: string,
  ): Promise<MeetingRow> {
    const row = await this.repository.find(manager, orgId, id, { forUpdate: true });
    if (!row) throw new NotFoundError('Meeting');
    if (row.host_user_id !== caller.userId && !caller.permissions.has('meetings:manage')) {
      throw MeetingsErrors.not_meeting_host();
    }
    return row;
  }

  /** {@link owned}, and still open to changes (not cancelled nor ended: else 409). */
  private async changeable(
    manager: EntityManager,
    orgId: string,
    caller: MeetingCaller,
    id: string,
  ): Promise<MeetingRow> {
    const row = await this.owned(manager, orgId, caller, id);
    if (CLOSED.includes(row.status)) throw MeetingsErrors.meeting_cancelled(row.status);
    return row;
  }

  /** The instants and canonical zone of a request, or null with `issues` filled. */
  private timing(
    startsAt: string,
    endsAt: string,
    zone: string,
    issues: FieldIssue[],
  ): { startsAt: Date; endsAt: Date; timezone: string } | null {
    const timezone = canonicalTimeZone(zone);
    if (!timezone) {
      issues.push({
        pointer: '/timezone',
        detail: 'timezone must be an IANA time zone such as Europe/Paris',
      });
      return null;
    }
    const start = instantOf(startsAt, timezone);
    const end = instantOf(endsAt, timezone);
    if (!start)
      issues.push({
        pointer: '/startsAt',
        detail: 'startsAt is not a time that exists in timezone',
      });
    if (!end)
      issues.push({ pointer: '/endsAt', detail: 'endsAt is not a time that exists in timezone' });
    if (!start || !end) return null;
    const problem = intervalProblem(start, end);
    if (problem) {
      issues.push({
        pointer: '/endsAt',
        detail:
          problem === 'end_before_start'
            ? 'endsAt must be after startsAt'
            : 'a meeting lasts at most 24 hours',
      });
      return null;
    }
    return { startsAt: start, endsAt: end, timezone };
  }

  /** `none` needs the host's https link; a provider with rooms takes none. */
  private checkLink(
    provider: VideoProviderName,
    joinUrl: string | null,
    issues: FieldIssue[],
  ): void {
    if (provider === 'none' && !joinUrl) {
      issues.push({
        pointer: '/joinUrl',
        detail: 'joinUrl (https) is required with provider none',
      });
    }
    if (provider !== 'none' && joinUrl) {
      issues.push({ pointer: '/joinUrl', detail: `joinUrl is set by the provider ${provider}` });
    }
    if (provider === 'jitsi' && !this.config.video.jitsi.appSecret) {
      issues.push({ pointer: '/provider', detail: 'the jitsi provider is not configured' });
    }
  }

  /**
   * The people of a request: user ids must be active members of the organization (another
   * tenant's user or a stranger → 422 at `/participants/<i>/userId`); e-mails are lower-cased.
   */
  private async resolveParticipants(
    manager: EntityManager,
    orgId: string,
    inputs: ParticipantInputDto[],
    pointer: string,
  ): Promise<{ userId: string | null; email: string | null; role: string }[]> {
    const userIds = [...new Set(inputs.flatMap((p) => (p.userId ? [p.userId] : [])))];
    const members = userIds.length
      ? new Set(
          (await this.members.activeMembers(manager, orgId, { userIds })).map((m) => m.userId),
        )
      : new Set<string>();
    const issues: FieldIssue[] = [];
    inputs.forEach((p, index) => {
      if (p.userId && !members.has(p.userId)) {
        issues.push({
          pointer: `${pointer}/${index}/userId`,
          detail: 'userId must be an active member of this organization',
        });
      }
      if (p.userId && p.email) {
        issues.push({ pointer: `${pointer}/${index}`, detail: 'give userId or email, not both' });
      }
    });
    if (issues.length > 0) throw new ValidationFailedError(issues);
    return inputs.map((p) => ({
      userId: p.userId ?? null,
      email: p.userId ? null : (p.email ?? null),
      role: 'participant',
    }));
  }

  /** The calendar view of a meeting (organizer: the host). */
  private async calendarMeeting(
    manager: EntityManager,
    orgId: string,
    meeting: MeetingDto,
  ): Promise<CalendarMeeting> {
    const host = meeting.participants.find((p) => p.role === 'host');
    let organizer = host?.email ? { name: host.name ?? host.email, email: host.email } : undefined;
    if (!organizer) {
      const [member] = await this.members.activeMembers(manager, orgId, {
        userIds: [meeting.hostUserId],
      });
      organizer = {
        name: member?.fullName ?? 'Alees',
        email: member?.email ?? 'no-reply@alees.invalid',
      };
    }
    return {
      uid: meeting.icsUid,
      sequence: meeting.icsSequence,
      title: meeting.title,
      description: meeting.description,
      startsAt: new Date(meeting.startsAt),
      endsAt: new Date(meeting.endsAt),
      timezone: meeting.timezone,
      cancelled: meeting.status === 'cancelled',
      url: meeting.joinUrl,
      organizer,
      attendees: meeting.participants
        .filter((p) => p.role !== 'host' && p.email)
        .map((p) => ({ name: p.name, email: p.email!, rsvp: p.rsvp })),
      updatedAt: new Date(meeting.updatedAt),
    };
  }

  /**
   * Queues the invitation (REQUEST) or cancellation (CANCEL) to `recipients` (never the one who
   * acted), each with the iCalendar file attached, in the caller's transaction (mail README).
   */
  private async invite(
    manager: EntityManager,
    orgId: string,
    meeting: MeetingDto,
    method: 'REQUEST' | 'CANCEL',
    recipients: ParticipantDto[],
    actorUserId: string,
    updated = false,
  ): Promise<void> {
    const to = recipients.filter((p) => p.email && p.userId !== actorUserId);
    if (to.length === 0) return;
    const calendar = await this.calendarMeeting(manager, orgId, meeting);
    const content = meetingCalendar(
      [{ ...calendar, cancelled: method === 'CANCEL' || calendar.cancelled }],
      { method },
    );
    const organization = await this.organizations.findInTransaction(manager, orgId);
    const languages = new Map(
      (
        await this.members.activeMembers(manager, orgId, {
          userIds: to.flatMap((p) => (p.userId ? [p.userId] : [])),
        })
      ).map((m) => [m.userId, m.language]),
    );
    for (const recipient of to) {
      const language =
        (recipient.userId && languages.get(recipient.userId)) || organization?.language || 'en';
      await this.mail.send(
        recipient.email!,
        'meeting-invitation',
        language,
        {
          title: meeting.title,
          link: `${this.config.app.publicUrl}/meetings/${meeting.id}`,
          organization: organization?.name ?? '',
          host: calendar.organizer.name,
          when: localStart(new Date(meeting.startsAt), meeting.timezone),
          timezone: meeting.timezone,
          updated,
          cancelled: method === 'CANCEL',
        },
        [
          {
            filename: method === 'CANCEL' ? 'cancel.ics' : 'invite.ics',
            contentType: `text/calendar; method=${method}; charset=utf-8`,
            content,
          },
        ],
      );
    }
  }
}

/** A provider event as the webhook body carries it (JSON). */
interface ProviderEvent {
  eventId: string;
  type: 'room_created' | 'room_destroyed' | 'participant_joined' | 'participant_left';
  room: string;
  userId: string | null;
  occurredAt: Date | null;
}

const EVENT_TYPES = ['room_created', 'room_destroyed', 'participant_joined', 'participant_left'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The body of a (signed) provider webhook: `{eventId, type, room, userId?, occurredAt?}`; a body
 * that is not that → 422 `validation_error` (nothing written).
 */
function parseProviderEvent(rawBody: string): ProviderEvent {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody) as Record<string, unknown>;
  } catch {
    body = {};
  }
  const issues: FieldIssue[] = [];
  const { eventId, type, room, userId, occurredAt } = body ?? {};
  if (typeof eventId !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(eventId)) {
    issues.push({ pointer: '/eventId', detail: 'eventId must be 1–200 printable characters' });
  }
  if (typeof type !== 'string' || !EVENT_TYPES.includes(type)) {
    issues.push({ pointer: '/type', detail: `type must be one of ${EVENT_TYPES.join(', ')}` });
  }
  if (typeof room !== 'string' || room.length > 200) {
    issues.push({ pointer: '/room', detail: 'room must be a room name' });
  }
  if (
    userId !== undefined &&
    userId !== null &&
    (typeof userId !== 'string' || !UUID.test(userId))
  ) {
    issues.push({ pointer: '/userId', detail: 'userId must be a UUID' });
  }
  const at = typeof occurredAt === 'string' ? new Date(occurredAt) : null;
  if (occurredAt !== undefined && (!at || Number.isNaN(at.getTime()))) {
    issues.push({ pointer: '/occurredAt', detail: 'occurredAt must be an ISO 8601 date-time' });
  }
  if (issues.length > 0) throw new ValidationFailedError(issues);
  return {
    eventId: eventId as string,
    type: type as ProviderEvent['type'],
    room: room as string,
    userId: (userId as string | undefined) ?? null,
    occurredAt: at,
  };
}
