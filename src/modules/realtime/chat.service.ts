import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
import { Conditions, iso, selectPage } from '../../core/database/sql';
import { ListDefinition, ListQuery, NotFoundError, Page, toPage } from '../../core/http';
import { withTenant } from '../../core/tenancy';
import { AccessService } from '../access';
import type { ChatMessageDto, ChatRoomDto, CreateChatRoomDto } from './dto/chat.dto';
import { RealtimePublisher } from './realtime.publisher';
import { chatRoom } from './rooms';
import { RealtimeErrors } from './realtime.errors';

export const CHAT_ROOM_LIST: ListDefinition<'name' | 'createdAt', never> = {
  sortable: ['name', 'createdAt'],
  defaultSort: 'name',
  filters: {},
};
export const CHAT_MESSAGE_LIST: ListDefinition<'createdAt', never> = {
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  filters: {},
  cursor: true,
};

interface RoomRow {
  id: string;
  name: string;
  created_by: string;
  participant_ids: string[];
  created_at: Date;
  updated_at: Date;
  version: number;
}
interface MessageRow {
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

const toRoom = (row: RoomRow): ChatRoomDto => ({
  id: row.id,
  name: row.name,
  createdBy: row.created_by,
  participantIds: row.participant_ids,
  createdAt: iso(row.created_at) as string,
  updatedAt: iso(row.updated_at) as string,
  version: row.version,
});
const toMessage = (row: MessageRow): ChatMessageDto => ({
  id: row.id,
  roomId: row.room_id,
  authorId: row.author_id,
  body: row.body,
  createdAt: iso(row.created_at) as string,
});

/**
 * Chat rooms of an organization. A room exists, for a user, only if they take part in it: anyone
 * else (same organization or not) gets 404. Messages are persisted first, then published to the
 * room's sockets on every instance.
 */
@Injectable()
export class ChatService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly publisher: RealtimePublisher,
  ) {}

  private async room(
    manager: EntityManager,
    orgId: string,
    userId: string,
    roomId: string,
  ): Promise<RoomRow> {
    const [row] = await manager.query<RoomRow[]>(
      `SELECT ${ROOM_COLUMNS} FROM chat_rooms r
        WHERE r.organization_id = $1 AND r.id = $2
          AND EXISTS (SELECT 1 FROM chat_participants p WHERE p.room_id = r.id AND p.user_id = $3)`,
      [orgId, roomId, userId],
    );
    if (!row) throw new NotFoundError('Chat room');
    return row;
  }

  /** Whether `userId` takes part in the room (the socket `chat.join` check). */
  async isParticipant(orgId: string, userId: string, roomId: string): Promise<boolean> {
    return withTenant(this.dataSource, orgId, async (manager) => {
      const rows = await manager.query<unknown[]>(
        `SELECT 1 FROM chat_participants WHERE organization_id = $1 AND room_id = $2 AND user_id = $3`,
        [orgId, roomId, userId],
      );
      return rows.length > 0;
    });
  }

  private async assertMembers(
    orgId: string,
    userIds: string[],
    pointer: (index: number) => string,
  ): Promise<void> {
    for (const [index, userId] of userIds.entries()) {
      const { member } = await this.access.resolve(userId, orgId, false);
      if (!member) {
        throw RealtimeErrors.not_a_member(pointer(index));
      }
    }
  }

  async create(orgId: string, userId: string, dto: CreateChatRoomDto): Promise<ChatRoomDto> {
    const others = (dto.participantIds ?? []).filter((id) => id !== userId);
    await this.assertMembers(orgId, others, (index) => `/participantIds/${index}`);
    return withTenant(this.dataSource, orgId, async (manager) => {
      const [{ id }] = await manager.query<{ id: string }[]>(
        `INSERT INTO chat_rooms (organization_id, name, created_by) VALUES ($1, $2, $3) RETURNING id`,
        [orgId, dto.name, userId],
      );
      await manager.query(
        `INSERT INTO chat_participants (organization_id, room_id, user_id)
         SELECT $1, $2, u FROM unnest($3::uuid[]) AS u`,
        [orgId, id, [userId, ...others]],
      );
      return toRoom(await this.room(manager, orgId, userId, id));
    });
  }

  list(orgId: string, userId: string, query: ListQuery<'name' | 'createdAt', never>) {
    return withTenant(this.dataSource, orgId, async (manager): Promise<Page<ChatRoomDto>> => {
      const where = new Conditions()
        .add('r.organization_id = ?', orgId)
        .add(
          'EXISTS (SELECT 1 FROM chat_participants p WHERE p.room_id = r.id AND p.user_id = ?)',
          userId,
        );
      const column = { name: 'r.name', createdAt: 'r.created_at' };
      const order = [...query.sort.map((s) => `${column[s.field]} ${s.direction}`), 'r.id'].join(
        ', ',
      );
      const { rows, total } = await selectPage<RoomRow>(manager, {
        select: ROOM_COLUMNS,
        from: 'chat_rooms r',
        where,
        order,
        query,
      });
      return toPage(rows.map(toRoom), total, query);
    });
  }

  get(orgId: string, userId: string, roomId: string): Promise<ChatRoomDto> {
    return withTenant(this.dataSource, orgId, async (manager) =>
      toRoom(await this.room(manager, orgId, userId, roomId)),
    );
  }

  async addParticipant(
    orgId: string,
    userId: string,
    roomId: string,
    participantId: string,
  ): Promise<ChatRoomDto> {
    await this.assertMembers(orgId, [participantId], () => '/userId');
    return withTenant(this.dataSource, orgId, async (manager) => {
      await this.room(manager, orgId, userId, roomId);
      await manager.query(
        `INSERT INTO chat_participants (organization_id, room_id, user_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [orgId, roomId, participantId],
      );
      await manager.query(
        `UPDATE chat_rooms SET version = version + 1, updated_at = now() WHERE id = $1`,
        [roomId],
      );
      return toRoom(await this.room(manager, orgId, userId, roomId));
    });
  }

  /** Removes a participant (yourself: leave the room). The room stays while anyone is in it. */
  async removeParticipant(
    orgId: string,
    userId: string,
    roomId: string,
    participantId: string,
  ): Promise<void> {
    await withTenant(this.dataSource, orgId, async (manager) => {
      await this.room(manager, orgId, userId, roomId);
      const removed = await returningRows<{ user_id: string }>(
        manager,
        `DELETE FROM chat_participants WHERE room_id = $1 AND user_id = $2 RETURNING user_id`,
        [roomId, participantId],
      );
      if (removed.length === 0) throw new NotFoundError('Participant');
      await manager.query(
        `UPDATE chat_rooms SET version = version + 1, updated_at = now() WHERE id = $1`,
        [roomId],
      );
    });
    // Sockets of the removed user stop receiving the room's events at once.
    this.publisher.leaveRoom(orgId, participantId, chatRoom(roomId));
  }

  async post(orgId: string, userId: string, roomId: string, body: string): Promise<ChatMessageDto> {
    const message = await withTenant(this.dataSource, orgId, async (manager) => {
      await this.room(manager, orgId, userId, roomId);
      const [row] = await manager.query<MessageRow[]>(
        `INSERT INTO chat_messages (organization_id, room_id, author_id, body) VALUES ($1, $2, $3, $4)
         RETURNING ${MESSAGE_COLUMNS}`,
        [orgId, roomId, userId, body],
      );
      return toMessage(row);
    });
    this.publisher.toRoom(chatRoom(roomId), 'chat.message', message);
    return message;
  }

  messages(orgId: string, userId: string, roomId: string, query: ListQuery<'createdAt', never>) {
    return withTenant(this.dataSource, orgId, async (manager): Promise<Page<ChatMessageDto>> => {
      await this.room(manager, orgId, userId, roomId);
      const [sort] = query.sort;
      const { rows, total, nextCursor } = await selectPage<MessageRow>(manager, {
        select: MESSAGE_COLUMNS,
        from: 'chat_messages',
        where: new Conditions().add('organization_id = ?', orgId).add('room_id = ?', roomId),
        order: `id ${sort.direction}`,
        query,
        // uuid v7 ids follow creation time: the id is the sort key (on the room's index).
        keyset: { column: 'id', type: 'uuid', direction: sort.direction, id: false },
      });
      return toPage(rows.map(toMessage), total, query, nextCursor);
    });
  }
}
