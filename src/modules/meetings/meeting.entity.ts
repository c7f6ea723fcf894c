import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { BaseEntity } from '../../core/database';

/** Where a meeting is in its life (SPEC-P3 §10). */
export const MEETING_STATUSES = [
  'scheduled',
  'in_progress',
  'ended',
  'cancelled',
  'provider_error',
] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/** The video providers a meeting can use (`none`: a link the host supplies). */
export const VIDEO_PROVIDERS = ['none', 'jitsi'] as const;
export type VideoProviderName = (typeof VIDEO_PROVIDERS)[number];

export const PARTICIPANT_ROLES = ['host', 'participant'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** A participant's answer to the invitation (iCalendar PARTSTAT, lower-cased). */
export const RSVP_RESPONSES = ['needs_action', 'accepted', 'declined', 'tentative'] as const;
export type RsvpResponse = (typeof RSVP_RESPONSES)[number];

/**
 * A meeting of one organization (SPEC-P3 §10): `[startsAt, endsAt)` of at most 24 hours, shown in
 * `timezone` (IANA); `icsUid` never changes, `icsSequence` counts reschedules and the cancel.
 */
@Entity({ name: 'meetings' })
@Index('uq_meetings_ics_uid', ['organizationId', 'icsUid'], { unique: true })
@Index('ix_meetings_starts_at', ['organizationId', 'startsAt'])
@Index('ix_meetings_target', ['organizationId', 'targetType', 'targetId'])
@Check(
  'ck_meetings_interval',
  `"ends_at" > "starts_at" AND "ends_at" - "starts_at" <= interval '24 hours'`,
)
@Check(
  'ck_meetings_status',
  `"status" IN ('scheduled', 'in_progress', 'ended', 'cancelled', 'provider_error')`,
)
@Check('ck_meetings_provider', `"provider" IN ('none', 'jitsi')`)
@Check('ck_meetings_target', `("target_type" IS NULL) = ("target_id" IS NULL)`)
@Check('ck_meetings_join_url', `"join_url" IS NULL OR "join_url" LIKE 'https://%'`)
export class MeetingEntity extends BaseEntity {
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 200 }) title: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'timestamptz' }) startsAt: Date;
  @Column({ type: 'timestamptz' }) endsAt: Date;
  @Column({ type: 'varchar', length: 64 }) timezone: string;
  @Column({ type: 'varchar', length: 20, default: 'scheduled' }) status: MeetingStatus;
  @Column({ type: 'uuid' }) hostUserId: string;
  @Column({ type: 'varchar', length: 50, nullable: true }) targetType: string | null;
  @Column({ type: 'uuid', nullable: true }) targetId: string | null;
  @Column({ type: 'varchar', length: 20 }) provider: VideoProviderName;
  @Column({ type: 'varchar', length: 200, nullable: true }) providerRoomId: string | null;
  @Column({ type: 'varchar', length: 2000, nullable: true }) joinUrl: string | null;
  @Column({ type: 'varchar', length: 255 }) icsUid: string;
  @Column({ type: 'integer', default: 0 }) icsSequence: number;
}

/** One invitee of a meeting: a member (`userId`) or an external address (`email`, lower-case). */
@Entity({ name: 'meeting_participants' })
@Index('uq_meeting_participants_user', ['meetingId', 'userId'], { unique: true })
@Index('uq_meeting_participants_email', ['meetingId', 'email'], { unique: true })
@Index('ix_meeting_participants_user', ['organizationId', 'userId'])
@Check('ck_meeting_participants_who', `("user_id" IS NULL) <> ("email" IS NULL)`)
@Check('ck_meeting_participants_email', `"email" = lower("email")`)
@Check('ck_meeting_participants_role', `"role" IN ('host', 'participant')`)
@Check(
  'ck_meeting_participants_rsvp',
  `"rsvp" IN ('needs_action', 'accepted', 'declined', 'tentative')`,
)
export class MeetingParticipantEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) meetingId: string;
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'varchar', length: 320, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 20, default: 'participant' }) role: ParticipantRole;
  @Column({ type: 'varchar', length: 20, default: 'needs_action' }) rsvp: RsvpResponse;
  @Column({ type: 'timestamptz', nullable: true }) joinedAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) leftAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}

/** A personal calendar feed token (only its SHA-256 is stored); revoked tokens stay as history. */
@Entity({ name: 'calendar_feed_tokens' })
@Index('uq_calendar_feed_tokens_token_hash', ['tokenHash'], { unique: true })
@Index('ix_calendar_feed_tokens_user', ['organizationId', 'userId'])
export class CalendarFeedTokenEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'char', length: 64 }) tokenHash: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}

/** A provider webhook event already processed (idempotency: unique per provider and event id). */
@Entity({ name: 'video_provider_events' })
@Index('uq_video_provider_events_event', ['provider', 'eventId'], { unique: true })
export class VideoProviderEventEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_uuid_v7()' }) id: string;
  @Column({ type: 'uuid' }) organizationId: string;
  @Column({ type: 'varchar', length: 20 }) provider: string;
  @Column({ type: 'varchar', length: 200 }) eventId: string;
  @Column({ type: 'varchar', length: 50 }) type: string;
  @Column({ type: 'uuid', nullable: true }) meetingId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) receivedAt: Date;
}
