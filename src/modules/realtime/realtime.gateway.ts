import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Principal } from '../../core/auth';
import { RedisService } from '../../core/redis';
import { AuthGuard } from '../auth';
import { ChatService } from './chat.service';
import { RealtimePublisher } from './realtime.publisher';
import { chatRoom, orgRoom, readersRoom, REALTIME_NAMESPACE, userRoom } from './rooms';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Types whose committed changes are pushed as `entity.changed`, with the permission to see them. */
const WATCHED: Record<string, string> = { products: 'products:read', contacts: 'contacts:read' };
/** A crashed instance's presence entries expire instead of showing users online forever. */
const PRESENCE_TTL_SECONDS = 24 * 3600;

interface SocketData {
  principal: Principal;
  organizationId: string;
}
type RealtimeSocket = Socket<
  Record<string, never>,
  Record<string, never>,
  Record<string, never>,
  SocketData
>;
type Ack = { ok: true } | { ok: false; error: string };

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * The realtime gateway (`/realtime`). The handshake carries `auth: {token}` (an access token) or
 * `auth: {apiKey}`, and `auth.organizationId` (or the `x-organization-id` header); it is checked
 * exactly like an HTTP request (same guard code) and refused with `connect_error` "unauthorized".
 * A socket joins its organization's room, a room per type it may read (entity changes) and its
 * user's room in that organization (notifications); chat rooms it joins on request, participants
 * only. Presence is counted per user across instances in Redis.
 */
@WebSocketGateway({ namespace: REALTIME_NAMESPACE })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(RealtimeGateway.name);

  constructor(
    private readonly auth: AuthGuard,
    private readonly chat: ChatService,
    private readonly redis: RedisService,
    private readonly publisher: RealtimePublisher,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.admit(socket as RealtimeSocket).then(
        () => next(),
        () => next(new Error('unauthorized')),
      );
    });
  }

  private async admit(socket: RealtimeSocket): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    const token = asString(auth.token);
    const apiKey = asString(auth.apiKey);
    const organizationId =
      asString(auth.organizationId) ?? asString(socket.handshake.headers['x-organization-id']);
    if (token) headers.authorization = `Bearer ${token}`;
    if (apiKey) headers['x-api-key'] = apiKey;
    if (organizationId) headers['x-organization-id'] = organizationId;
    const principal = await this.auth.authenticate({ headers });
    if (!principal.organizationId) throw new Error('no organization');
    socket.data = { principal, organizationId: principal.organizationId };
  }

  private presenceKey(orgId: string, userId: string): string {
    return `realtime:presence:${orgId}:${userId}`;
  }

  async handleConnection(socket: RealtimeSocket): Promise<void> {
    const { principal, organizationId: orgId } = socket.data;
    const rooms = [orgRoom(orgId)];
    for (const [type, permission] of Object.entries(WATCHED)) {
      if (principal.permissions.has(permission)) rooms.push(readersRoom(orgId, type));
    }
    if (principal.userId) rooms.push(userRoom(orgId, principal.userId));
    await socket.join(rooms);
    if (!principal.userId) return;
    try {
      const redis = this.redis.client('cache');
      const key = this.presenceKey(orgId, principal.userId);
      const [[, added], , [, count]] = (await redis
        .multi()
        .sadd(key, socket.id)
        .expire(key, PRESENCE_TTL_SECONDS)
        .scard(key)
        .exec()) as [unknown, number][];
      if (added === 1 && count === 1) {
        this.publisher.toRoom(orgRoom(orgId), 'presence', {
          userId: principal.userId,
          status: 'online',
        });
      }
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'presence not recorded');
    }
  }

  async handleDisconnect(socket: RealtimeSocket): Promise<void> {
    const { principal, organizationId: orgId } = socket.data ?? {};
    if (!principal?.userId || !orgId) return;
    try {
      const redis = this.redis.client('cache');
      const key = this.presenceKey(orgId, principal.userId);
      const [[, removed], [, count]] = (await redis
        .multi()
        .srem(key, socket.id)
        .scard(key)
        .exec()) as [unknown, number][];
      if (removed === 1 && count === 0) {
        this.publisher.toRoom(orgRoom(orgId), 'presence', {
          userId: principal.userId,
          status: 'offline',
        });
      }
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'presence not recorded');
    }
  }

  /** Joins a chat room's events (`chat.message`, `chat.typing`); participants only. */
  @SubscribeMessage('chat.join')
  async join(
    @ConnectedSocket() socket: RealtimeSocket,
    @MessageBody() body: unknown,
  ): Promise<Ack> {
    const roomId = (body as { roomId?: unknown } | null)?.roomId;
    const { principal, organizationId } = socket.data;
    if (typeof roomId !== 'string' || !UUID.test(roomId)) {
      return { ok: false, error: 'roomId must be a UUID' };
    }
    if (!principal.userId || !principal.permissions.has('chat:read')) {
      return { ok: false, error: 'forbidden' };
    }
    if (!(await this.chat.isParticipant(organizationId, principal.userId, roomId))) {
      return { ok: false, error: 'not_found' };
    }
    await socket.join(chatRoom(roomId));
    return { ok: true };
  }

  @SubscribeMessage('chat.leave')
  async leave(
    @ConnectedSocket() socket: RealtimeSocket,
    @MessageBody() body: unknown,
  ): Promise<Ack> {
    const roomId = (body as { roomId?: unknown } | null)?.roomId;
    if (typeof roomId !== 'string') return { ok: false, error: 'roomId must be a UUID' };
    await socket.leave(chatRoom(roomId));
    return { ok: true };
  }

  /** Relayed to the room's other sockets (every instance); only from a socket in the room. */
  @SubscribeMessage('chat.typing')
  typing(@ConnectedSocket() socket: RealtimeSocket, @MessageBody() body: unknown): Ack {
    const roomId = (body as { roomId?: unknown } | null)?.roomId;
    if (typeof roomId !== 'string' || !socket.rooms.has(chatRoom(roomId))) {
      return { ok: false, error: 'join the room first' };
    }
    socket.to(chatRoom(roomId)).emit('chat.typing' as never, {
      roomId,
      userId: socket.data.principal.userId,
    });
    return { ok: true };
  }
}
