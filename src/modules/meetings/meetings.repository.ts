import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  Conditions,
  deleteTenantRow,
  orderBy,
  returningRows,
  selectPage,
  selectTenantRow,
  tenantRowExists,
  updateVersioned,
} from '../../core/database';
import type { FilterField } from '../../core/filters';
import type { ListQuery } from '../../core/http';

/** A `meetings` row as selected by {@link MeetingsRepository}. */
export interface MeetingRow {
  id: string;
  organization_id: string;
  title: string;
  description: string | null;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  status: string;
  host_user_id: string;
  target_type: string | null;
  target_id: string | null;
  provider: string;
  provider_room_id: string | null;
  join_url: string | null;
  ics_uid: string;
  ics_sequence: number;
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** A `meeting_participants` row, with the member's name and e-mail when it is a member. */
export interface ParticipantRow {
  id: string;
  meeting_id: string;
  user_id: string | null;
  email: string | null;
  role: string;
  rsvp: string;
  joined_at: Date | null;
  left_at: Date | null;
  user_email: string | null;
  user_name: string | null;
}

/** The columns a reschedule or an edit writes (null keeps nothing: every value is given). */
export interface MeetingFields {
  title: string;
  description: string | null;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  status: string;
  providerRoomId: string | null;
  joinUrl: string | null;
  icsSequence: number;
}

export type MeetingSort = 'startsAt' | 'createdAt' | 'title';
export type MeetingFilter = 'status' | 'host';

const SORT_COLUMNS: Record<MeetingSort, string> = {
  startsAt: 'starts_at',
  createdAt: 'created_at',
  title: 'title',
};

/** `?filter=` fields of the meeting list (`participant` eq `@me`: the caller's meetings). */
export const MEETING_FILTER_FIELDS: Record<string, FilterField> = {
  id: { type: 'uuid', column: 'meetings.id' },
  title: { type: 'string', column: 'meetings.title' },
  startsAt: { type: 'datetime', column: 'meetings.starts_at' },
  endsAt: { type: 'datetime', column: 'meetings.ends_at' },
  status: {
    type: { enum: ['scheduled', 'in_progress', 'ended', 'cancelled', 'provider_error'] },
    column: 'meetings.status',
  },
  host: { type: 'uuid', column: 'meetings.host_user_id' },
  provider: { type: { enum: ['none', 'jitsi'] }, column: 'meetings.provider' },
  targetType: { type: 'string', column: 'meetings.target_type' },
  targetId: { type: 'uuid', column: 'meetings.target_id' },
  participant: {
    type: 'uuid',
    column: 'filter_participant.user_id',
    relation: {
      from: 'meeting_participants filter_participant',
      join: 'filter_participant.meeting_id = meetings.id AND filter_participant.organization_id = meetings.organization_id',
    },
  },
  createdAt: { type: 'datetime', column: 'meetings.created_at' },
};

const COLUMNS = `id, organization_id, title, description, starts_at, ends_at, timezone, status,
  host_user_id, target_type, target_id, provider, provider_room_id, join_url, ics_uid, ics_sequence,
  created_at, updated_at, version`;
const PARTICIPANT_COLUMNS = `p.id, p.meeting_id, p.user_id, p.email, p.role, p.rsvp, p.joined_at,
  p.left_at, u.email AS user_email, u.full_name AS user_name`;

/**
 * The only SQL on `meetings`, `meeting_participants`, `calendar_feed_tokens` and
 * `video_provider_events`. Every method takes the caller's transaction manager and the
 * organization id first, and names `organization_id` in every WHERE.
 */
@Injectable()
export class MeetingsRepository {
  /** One page of the organization's meetings per `query` (filters, sort), with the total. */
  list(
    manager: EntityManager,
    orgId: string,
    query: ListQuery<MeetingSort, MeetingFilter>,
  ): Promise<{ rows: MeetingRow[]; total: number }> {
    const { status, host } = query.filters;
    const where = new Conditions()
      .add('meetings.organization_id = ?', orgId)
      .addIf(status, 'meetings.status = ?')
      .addIf(host, 'meetings.host_user_id = ?');
    where.addFilter(query.filter);
    return selectPage<MeetingRow>(manager, {
      select: COLUMNS,
      from: 'meetings',
      where,
      order: orderBy(query.sort, SORT_COLUMNS),
      query,
    });
  }

  /** The meeting, or undefined; `forUpdate` row-locks it until the transaction ends. */
  find(
    manager: EntityManager,
    orgId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<MeetingRow | undefined> {
    return selectTenantRow<MeetingRow>(manager, 'meetings', COLUMNS, orgId, id, options);
  }

  /** Whether the organization has the meeting (`forShare`: share-locked, see `tenantRowExists`). */
  exists(manager: EntityManager, orgId: string, id: string, options: { forShare?: boolean } = {}) {
    return tenantRowExists(manager, 'meetings', orgId, id, options);
  }

  /** Meetings `userId` takes part in (host or participant) that end after `since`, by start. */
  forParticipant(
    manager: EntityManager,
    orgId: string,
    userId: string,
    since: Date,
    limit: number,
  ): Promise<MeetingRow[]> {
    return manager.query<MeetingRow[]>(
      `SELECT ${COLUMNS} FROM meetings
        WHERE organization_id = $1 AND ends_at > $3
          AND EXISTS (SELECT 1 FROM meeting_participants p
                       WHERE p.organization_id = $1 AND p.meeting_id = meetings.id AND p.user_id = $2)
        ORDER BY starts_at, id LIMIT ${Number(limit)}`,
      [orgId, userId, since],
    );
  }

  async insert(
    manager: EntityManager,
    orgId: string,
    row: {
      id: string;
      hostUserId: string;
      provider: string;
      targetType: string | null;
      targetId: string | null;
      icsUid: string;
    } & MeetingFields,
  ): Promise<MeetingRow> {
    const [inserted] = await returningRows<MeetingRow>(
      manager,
      `INSERT INTO meetings (id, organization_id, title, description, starts_at, ends_at, timezone,
                             status, host_user_id, target_type, target_id, provider, provider_room_id,
                             join_url, ics_uid, ics_sequence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       RETURNING ${COLUMNS}`,
      [
        row.id,
        orgId,
        row.title,
        row.description,
        row.startsAt,
        row.endsAt,
        row.timezone,
        row.status,
        row.hostUserId,
        row.targetType,
        row.targetId,
        row.provider,
        row.providerRoomId,
        row.joinUrl,
        row.icsUid,
        row.icsSequence,
      ],
    );
    return inserted;
  }

  /** Writes every field at `version` (412 when the row moved on). */
  update(
    manager: EntityManager,
    orgId: string,
    id: string,
    version: number,
    fields: MeetingFields,
  ): Promise<MeetingRow> {
    return updateVersioned<MeetingRow>(manager, {
      table: 'meetings',
      organizationId: orgId,
      id,
      version,
      set: `title = $4, description = $5, starts_at = $6, ends_at = $7, timezone = $8, status = $9,
            provider_room_id = $10, join_url = $11, ics_sequence = $12`,
      values: [
        fields.title,
        fields.description,
        fields.startsAt,
        fields.endsAt,
        fields.timezone,
        fields.status,
        fields.providerRoomId,
        fields.joinUrl,
        fields.icsSequence,
      ],
      returning: COLUMNS,
    });
  }

  /** Sets the status of a meeting (provider events), bumping its version. */
  async setStatus(
    manager: EntityManager,
    orgId: string,
    id: string,
    status: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE meetings SET status = $3, version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id, status],
    );
  }

  /**
   * Stores the room a provider answered (the room job), bumping the version only when it
   * changed; a meeting in `provider_error` is back to `scheduled` once its room exists.
   */
  async setRoom(
    manager: EntityManager,
    orgId: string,
    id: string,
    roomId: string | null,
    joinUrl: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE meetings
          SET provider_room_id = $3, join_url = $4,
              status = CASE WHEN status = 'provider_error' THEN 'scheduled' ELSE status END,
              version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2
          AND (provider_room_id IS DISTINCT FROM $3 OR join_url IS DISTINCT FROM $4
               OR status = 'provider_error')`,
      [orgId, id, roomId, joinUrl],
    );
  }

  /** Bumps the meeting's version (its participants changed: an ETag must change too). */
  async touch(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await manager.query(
      `UPDATE meetings SET version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, id],
    );
  }

  async delete(manager: EntityManager, orgId: string, id: string): Promise<void> {
    await deleteTenantRow(manager, 'meetings', orgId, id);
  }

  /** The participants of `meetingIds`, host first, then by creation. */
  participants(
    manager: EntityManager,
    orgId: string,
    meetingIds: string[],
  ): Promise<ParticipantRow[]> {
    if (meetingIds.length === 0) return Promise.resolve([]);
    return manager.query<ParticipantRow[]>(
      `SELECT ${PARTICIPANT_COLUMNS}
         FROM meeting_participants p LEFT JOIN users u ON u.id = p.user_id
        WHERE p.organization_id = $1 AND p.meeting_id = ANY($2::uuid[])
        ORDER BY p.role = 'host' DESC, p.created_at, p.id`,
      [orgId, meetingIds],
    );
  }

  /**
   * Adds participants; those already there (same user or e-mail) are skipped. Returns the ids of
   * the rows it inserted.
   */
  async addParticipants(
    manager: EntityManager,
    orgId: string,
    meetingId: string,
    people: { userId: string | null; email: string | null; role: string; rsvp?: string }[],
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const person of people) {
      const rows = await returningRows<{ id: string }>(
        manager,
        // clock_timestamp(): people keep the order they were invited in, within one transaction.
        `INSERT INTO meeting_participants (organization_id, meeting_id, user_id, email, role, rsvp, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) ON CONFLICT DO NOTHING RETURNING id`,
        [orgId, meetingId, person.userId, person.email, person.role, person.rsvp ?? 'needs_action'],
      );
      ids.push(...rows.map((r) => r.id));
    }
    return ids;
  }

  /** Removes one participant row of the meeting; returns whether it existed. */
  async removeParticipant(
    manager: EntityManager,
    orgId: string,
    meetingId: string,
    participantId: string,
  ): Promise<ParticipantRow | undefined> {
    const [row] = await returningRows<ParticipantRow>(
      manager,
      `DELETE FROM meeting_participants p
        WHERE p.organization_id = $1 AND p.meeting_id = $2 AND p.id = $3
        RETURNING p.id, p.meeting_id, p.user_id, p.email, p.role, p.rsvp, p.joined_at, p.left_at,
                  NULL::text AS user_email, NULL::text AS user_name`,
      [orgId, meetingId, participantId],
    );
    return row;
  }

  /** Sets `userId`'s answer on the meeting; returns the previous answer, or undefined (not invited). */
  async setRsvp(
    manager: EntityManager,
    orgId: string,
    meetingId: string,
    userId: string,
    rsvp: string,
  ): Promise<string | undefined> {
    const [row] = await returningRows<{ previous: string }>(
      manager,
      `UPDATE meeting_participants p SET rsvp = $4
         FROM (SELECT id, rsvp FROM meeting_participants
                WHERE organization_id = $1 AND meeting_id = $2 AND user_id = $3 FOR UPDATE) old
        WHERE p.id = old.id RETURNING old.rsvp AS previous`,
      [orgId, meetingId, userId, rsvp],
    );
    return row?.previous;
  }

  /** Stamps `joined_at` (first join) or `left_at` of `userId` on the meeting (provider events). */
  async stampPresence(
    manager: EntityManager,
    orgId: string,
    meetingId: string,
    userId: string,
    presence: 'joined' | 'left',
    at: Date,
  ): Promise<void> {
    const set = presence === 'joined' ? 'joined_at = COALESCE(joined_at, $4)' : 'left_at = $4';
    await manager.query(
      `UPDATE meeting_participants SET ${set}
        WHERE organization_id = $1 AND meeting_id = $2 AND user_id = $3`,
      [orgId, meetingId, userId, at],
    );
  }

  /** Records a provider event; false when its id was seen already (a replay: do nothing). */
  async recordProviderEvent(
    manager: EntityManager,
    orgId: string,
    event: { provider: string; eventId: string; type: string; meetingId: string | null },
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `INSERT INTO video_provider_events (organization_id, provider, event_id, type, meeting_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
      [orgId, event.provider, event.eventId, event.type, event.meetingId],
    );
    return rows.length === 1;
  }

  async insertFeedToken(
    manager: EntityManager,
    orgId: string,
    userId: string,
    tokenHash: string,
  ): Promise<{ id: string; created_at: Date }> {
    const [row] = await returningRows<{ id: string; created_at: Date }>(
      manager,
      `INSERT INTO calendar_feed_tokens (organization_id, user_id, token_hash) VALUES ($1, $2, $3)
       RETURNING id, created_at`,
      [orgId, userId, tokenHash],
    );
    return row;
  }

  /** Revokes `userId`'s live token `id`; returns whether there was one. */
  async revokeFeedToken(
    manager: EntityManager,
    orgId: string,
    userId: string,
    id: string,
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      manager,
      `UPDATE calendar_feed_tokens SET revoked_at = now()
        WHERE organization_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL RETURNING id`,
      [orgId, userId, id],
    );
    return rows.length === 1;
  }

  /** The user of a live (unrevoked) feed token with this hash, or undefined. */
  async feedTokenUser(
    manager: EntityManager,
    orgId: string,
    tokenHash: string,
  ): Promise<string | undefined> {
    const [row] = await manager.query<{ user_id: string }[]>(
      `SELECT user_id FROM calendar_feed_tokens
        WHERE organization_id = $1 AND token_hash = $2 AND revoked_at IS NULL`,
      [orgId, tokenHash],
    );
    return row?.user_id;
  }
}
