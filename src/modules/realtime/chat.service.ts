import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { iso } from '../../core/database/sql';
import {
  defineList,
  ListDefinition,
  ListQuery,
  NotFoundError,
  Page,
  toPage,
} from '../../core/http';
import { TenantDatabase } from '../../core/tenancy';
import { AccessService } from '../access';
import { ChatRepository, MessageRow, RoomRow } from './chat.repository';
import type { ChatMessageDto, ChatRoomDto, CreateChatRoomDto } from './dto/chat.dto';
import { RealtimePublisher } from './realtime.publisher';
import { chatRoom } from './rooms';
import { RealtimeErrors } from './realtime.errors';

export const CHAT_ROOM_LIST: ListDefinition<'name' | 'createdAt', never> = defineList({
  resource: 'chat-rooms',
  sortable: ['name', 'createdAt'],
  defaultSort: 'name',
  filters: {},
  fields: {
    id: { type: 'uuid', column: 'r.id' },
    name: { type: 'string', column: 'r.name' },
    createdBy: { type: 'uuid', column: 'r.created_by' },
    createdAt: { type: 'datetime', column: 'r.created_at' },
  },
});
export const CHAT_MESSAGE_LIST: ListDefinition<'createdAt', never> = defineList({
  resource: 'chat-messages',
  sortable: ['createdAt'],
  defaultSort: '-createdAt',
  filters: {},
  cursor: true,
  fields: {
    authorId: { type: 'uuid', column: 'chat_messages.author_id' },
    body: { type: 'text', column: 'chat_messages.body' },
    createdAt: { type: 'datetime', column: 'chat_messages.created_at' },
  },
});

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
    private readonly db: TenantDatabase,
    private readonly repository: ChatRepository,
    private readonly access: AccessService,
    private readonly publisher: RealtimePublisher,
  ) {}

  private async room(
    manager: EntityManager,
    orgId: string,
    userId: string,
    roomId: string,
  ): Promise<RoomRow> {
    const row = await this.repository.findRoomOfParticipant(manager, orgId, userId, roomId);
    if (!row) throw new NotFoundError('Chat room');
    return row;
  }

  /** Whether `userId` takes part in the room (the socket `chat.join` check). */
  async isParticipant(orgId: string, userId: string, roomId: string): Promise<boolean> {
    return this.db.read(orgId, (manager) =>
      this.repository.isParticipant(manager, orgId, userId, roomId),
    );
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
    return this.db.run(orgId, async (manager) => {
      const id = await this.repository.insertRoom(manager, orgId, {
        name: dto.name,
        createdBy: userId,
        participantIds: [userId, ...others],
      });
      return toRoom(await this.room(manager, orgId, userId, id));
    });
  }

  list(orgId: string, userId: string, query: ListQuery<'name' | 'createdAt', never>) {
    return this.db.read(orgId, async (manager): Promise<Page<ChatRoomDto>> => {
      const { rows, total } = await this.repository.listRoomsOfParticipant(
        manager,
        orgId,
        userId,
        query,
      );
      return toPage(rows.map(toRoom), total, query);
    });
  }

  get(orgId: string, userId: string, roomId: string): Promise<ChatRoomDto> {
    return this.db.read(orgId, async (manager) =>
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
    return this.db.run(orgId, async (manager) => {
      await this.room(manager, orgId, userId, roomId);
      await this.repository.addParticipant(manager, orgId, roomId, participantId);
      await this.repository.touchRoom(manager, orgId, roomId);
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
    await this.db.run(orgId, async (manager) => {
      await this.room(manager, orgId, userId, roomId);
      const removed = await this.repository.removeParticipant(
        manager,
        orgId,
        roomId,
        participantId,
      );
      if (!removed) throw new NotFoundError('Participant');
      await this.repository.touchRoom(manager, orgId, roomId);
    });
    // Sockets of the removed user stop receiving the room's events at once.
    this.publisher.leaveRoom(orgId, participantId, chatRoom(roomId));
  }

  async post(orgId: string, userId: string, roomId: string, body: string): Promise<ChatMessageDto> {
    const message = await this.db.run(orgId, async (manager) => {
      await this.room(manager, orgId, userId, roomId);
      const row = await this.repository.insertMessage(manager, orgId, {
        roomId,
        authorId: userId,
        body,
      });
      return toMessage(row);
    });
    this.publisher.toRoom(chatRoom(roomId), 'chat.message', message);
    return message;
  }

  messages(orgId: string, userId: string, roomId: string, query: ListQuery<'createdAt', never>) {
    return this.db.read(orgId, async (manager): Promise<Page<ChatMessageDto>> => {
      await this.room(manager, orgId, userId, roomId);
      const { rows, total, nextCursor } = await this.repository.listMessages(
        manager,
        orgId,
        roomId,
        query,
      );
      return toPage(rows.map(toMessage), total, query, nextCursor);
    });
  }
}
