import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
import { Conditions, selectPage } from '../../core/database/sql';
import type { ListQuery } from '../../core/http';

/** A `chat_rooms` row with its participants (user ids, in joining order). */
export interface RoomRow {
  id: string;
  name: string;
  created_by: string;
  participant_ids: string[];
  created_at: Date;
  updated_at: Date;
  version: number;
}

/** A `chat_messages` row. */
export interface MessageRow {
  id: string;
  room_id: string;
  author_id: string;
  body: string;
  created_at: Date;
}

const ROOM_COLUMNS = `r.id, r.name, r.created_by, r.created_at, r.updated_at, r.version,
  ARRAY(SELECT p.user_id FROM chat_participants p WHERE p.room_id = r.id ORDER BY p.joined_at, p.user_id)
    AS participant_ids`;
const MESSAGE_COLUMNS = 'id, room_id, author_id, body, created_at';
const ROOM_SORT = { name: 'r.name', createdAt: 'r.created_at' };

/**
 * The only SQL on `chat_rooms`, `chat_participants` and `chat_messages`. Methods take the
 * transaction's manager and the organization id first, put the organization in every WHERE, and
 * never open a transaction (the service does, with `TenantDatabase.run`).
 */
@Injectable()
export class ChatRepository {
  /** The room, only if `userId` takes part in it; undefined otherwise (or missing). */
  async findRoomOfParticipant(
    manager: EntityManager,
    orgId: string,
    userId: string,
    roomId: string,
  ): Promise<RoomRow | undefined> {
    const [row] = await manager.query<RoomRow[]>(
      `SELECT ${ROOM_COLUMNS} FROM chat_rooms r
        WHERE r.organization_id = $1 AND r.id = $2
          AND EXISTS (SELECT 1 FROM chat_participants p WHERE p.room_id = r.id AND p.user_id = $3)`,
      [orgId, roomId, userId],
    );
    return row;
  }

  /** Whether `userId` takes part in the room. */
  async isParticipant(
    manager: EntityManager,
    orgId: string,
    userId: string,
    roomId: string,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM chat_participants WHERE organization_id = $1 AND room_id = $2 AND user_id = $3`,
      [orgId, roomId, userId],
    );
    return rows.length > 0;
  }

  /** Inserts a room with its participants; returns its id. */
  async insertRoom(
    manager: EntityManager,
    orgId: string,
    room: { name: string; createdBy: string; participantIds: string[] },
  ): Promise<string> {
    const [{ id }] = await manager.query<{ id: string }[]>(
      `INSERT INTO chat_rooms (organization_id, name, created_by) VALUES ($1, $2, $3) RETURNING id`,
      [orgId, room.name, room.createdBy],
    );
    await manager.query(
      `INSERT INTO chat_participants (organization_id, room_id, user_id)
       SELECT $1, $2, u FROM unnest($3::uuid[]) AS u`,
      [orgId, id, room.participantIds],
    );
    return id;
  }

  /** One page of the rooms `userId` takes part in. */
  listRoomsOfParticipant(
    manager: EntityManager,
    orgId: string,
    userId: string,
    query: ListQuery<'name' | 'createdAt', never>,
  ): Promise<{ rows: RoomRow[]; total: number }> {
    const where = new Conditions()
      .add('r.organization_id = ?', orgId)
      .add(
        'EXISTS (SELECT 1 FROM chat_participants p WHERE p.room_id = r.id AND p.user_id = ?)',
        userId,
      );
    const order = [...query.sort.map((s) => `${ROOM_SORT[s.field]} ${s.direction}`), 'r.id'].join(
      ', ',
    );
    where.addFilter(query.filter);
    return selectPage<RoomRow>(manager, {
      select: ROOM_COLUMNS,
      from: 'chat_rooms r',
      where,
      order,
      query,
    });
  }

  /** Adds a participant (already there: nothing happens). */
  async addParticipant(
    manager: EntityManager,
    orgId: string,
    roomId: string,
    userId: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO chat_participants (organization_id, room_id, user_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [orgId, roomId, userId],
    );
  }

  /** Removes a participant; false when they were not in the room. */
  async removeParticipant(
    manager: EntityManager,
    orgId: string,
    roomId: string,
    userId: string,
  ): Promise<boolean> {
    const removed = await returningRows<{ user_id: string }>(
      manager,
      `DELETE FROM chat_participants WHERE organization_id = $1 AND room_id = $2 AND user_id = $3
       RETURNING user_id`,
      [orgId, roomId, userId],
    );
    return removed.length > 0;
  }

  /** A change of participants is a change of the room: its version and `updated_at` move. */
  async touchRoom(manager: EntityManager, orgId: string, roomId: string): Promise<void> {
    await manager.query(
      `UPDATE chat_rooms SET version = version + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2`,
      [orgId, roomId],
    );
  }

  /** Inserts a message and returns it. */
  async insertMessage(
    manager: EntityManager,
    orgId: string,
    message: { roomId: string; authorId: string; body: string },
  ): Promise<MessageRow> {
    const [row] = await manager.query<MessageRow[]>(
      `INSERT INTO chat_messages (organization_id, room_id, author_id, body) VALUES ($1, $2, $3, $4)
       RETURNING ${MESSAGE_COLUMNS}`,
      [orgId, message.roomId, message.authorId, message.body],
    );
    return row;
  }

  /** One keyset page of a room's messages, by id (uuid v7: creation order). */
  listMessages(
    manager: EntityManager,
    orgId: string,
    roomId: string,
    query: ListQuery<'createdAt', never>,
  ): Promise<{ rows: MessageRow[]; total: number; nextCursor?: string }> {
    const [sort] = query.sort;
    return selectPage<MessageRow>(manager, {
      select: MESSAGE_COLUMNS,
      from: 'chat_messages',
      where: new Conditions()
        .add('organization_id = ?', orgId)
        .add('room_id = ?', roomId)
        .addFilter(query.filter),
      order: `id ${sort.direction}`,
      query,
      // uuid v7 ids follow creation time: the id is the sort key (on the room's index).
      keyset: { column: 'id', type: 'uuid', direction: sort.direction, id: false },
    });
  }
}
