import { Logger, OnApplicationShutdown } from '@nestjs/common';
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
import { TargetRegistry } from '../../core/targets';
import { AccessService } from '../access';
import { AuthGuard } from '../auth';
import { ChatService } from './chat.service';
import { RealtimePublisher } from './realtime.publisher';
import { chatRoom, orgRoom, readersRoom, REALTIME_NAMESPACE, userRoom } from './rooms';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Types whose committed changes are pushed as `entity.changed`, with the permission to see them. */
const WATCHED: Record<string, string> = { products: 'products:read', contacts: 'contacts:read' };
/** How often an instance checks whether roles or memberships changed (then re-resolves sockets). */
export const ACCESS_RESYNC_MS = 2_000;
/** A crashed instance's presence entries expire instead of showing users online forever. */
const PRESENCE_TTL_SECONDS = 24 * 3600;

interface SocketData {
  principal: Principal;
  organizationId: string;
  /** The handshake's credentials, to authenticate an API-key socket again when roles change. */
  headers: Record<string, string>;
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
 * A socket joins its organization's room, a readers' room per type it may read (entity changes
 * of products and contacts; comment events of every registered target type) and its user's room
 * in that organization (notifications); chat rooms it joins on request, participants only. When
 * roles or memberships change anywhere (the access generation moves), every socket's readers'
 * rooms follow its new permissions (`refreshRooms`). Presence is counted per user across
 * instances in Redis.
 */
@WebSocketGateway({ namespace: REALTIME_NAMESPACE })
export class RealtimeGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown
{
  private readonly logger = new Logger(RealtimeGateway.name);
  private namespace?: Namespace;
  private timer?: NodeJS.Timeout;
  private accessGeneration?: string;
  private resyncing?: Promise<void>;

  constructor(
    private readonly auth: AuthGuard,
    private readonly chat: ChatService,
    private readonly redis: RedisService,
    private readonly publisher: RealtimePublisher,
    private readonly targets: TargetRegistry,
    private readonly access: AccessService,
  ) {}

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    this.timer = setInterval(() => {
      this.resyncIfAccessChanged().catch((error: Error) =>
        this.logger.warn(`realtime room resync: ${error.message}`),
      );
    }, ACCESS_RESYNC_MS);
    this.timer.unref();
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
    socket.data = { principal, organizationId: principal.organizationId, headers };
  }

  private presenceKey(orgId: string, userId: string): string {
    return `realtime:presence:${orgId}:${userId}`;
  }

  async handleConnection(socket: RealtimeSocket): Promise<void> {
    const { principal, organizationId: orgId } = socket.data;
    this.accessGeneration ??= await this.access.generation();
    const rooms = [orgRoom(orgId), ...this.readerRooms(orgId, principal.permissions)];
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

  /**
   * The readers' rooms a permission set opens in an organization: the `entity.changed` rooms
   * (`products`, `contacts`) and one per registered collaboration target type it may read
   * (`product`, `stock-location`, …: comment events).
   */
  private readerRooms(orgId: string, permissions: ReadonlySet<string>): string[] {
    const rooms: string[] = [];
    for (const [type, permission] of Object.entries(WATCHED)) {
      if (permissions.has(permission)) rooms.push(readersRoom(orgId, type));
    }
    for (const type of this.targets.types()) {
      if (this.targets.allows(this.targets.get(type), permissions)) {
        rooms.push(readersRoom(orgId, type));
      }
    }
    return rooms;
  }

  /**
   * Resolves every socket of this instance again when roles or memberships changed anywhere since
   * the last check (the timer calls it every `ACCESS_RESYNC_MS`); resolves once the sockets follow
   * the current generation (a resync under way is awaited).
   */
  async resyncIfAccessChanged(): Promise<void> {
    const generation = await this.access.generation();
    if (generation === this.accessGeneration) {
      await this.resyncing;
      return;
    }
    this.accessGeneration = generation;
    await this.refreshRooms();
  }

  /**
   * Brings every socket of this instance in line with its principal's current permissions: a
   * user's are resolved again (`AccessService`, cached per role/membership generation), an API
   * key is authenticated again with its handshake credentials. Readers' rooms it may no longer
   * read are left, newly readable ones joined; a user who is no longer a member (or a revoked key)
   * is disconnected. Runs on every change of the access generation (`ACCESS_RESYNC_MS`).
   */
  async refreshRooms(): Promise<void> {
    this.resyncing ??= this.refreshAll().finally(() => (this.resyncing = undefined));
    return this.resyncing;
  }

  private async refreshAll(): Promise<void> {
    if (!this.namespace) return;
    for (const socket of this.namespace.sockets.values()) {
      await this.refreshSocket(socket as RealtimeSocket).catch((error: Error) =>
        this.logger.warn({ error: error.message }, 'realtime socket not resynced'),
      );
    }
  }

  private async refreshSocket(socket: RealtimeSocket): Promise<void> {
    const { principal, organizationId: orgId, headers } = socket.data ?? {};
    if (!principal || !orgId) return;
    let permissions: ReadonlySet<string>;
    if (principal.kind === 'user' && principal.userId) {
      const access = await this.access.resolve(principal.userId, orgId, principal.isSuperuser);
      if (!access.member) {
        socket.disconnect(true);
        return;
      }
      permissions = new Set(access.permissions);
    } else {
      const again = await this.auth.authenticate({ headers }).catch(() => null);
      if (!again || again.organizationId !== orgId) {
        socket.disconnect(true);
        return;
      }
      permissions = again.permissions;
    }
    socket.data.principal = { ...principal, permissions };
    const wanted = new Set(this.readerRooms(orgId, permissions));
    const prefix = readersRoom(orgId, '');
    for (const room of socket.rooms) {
      if (room.startsWith(prefix) && !wanted.has(room)) await socket.leave(room);
    }
    const missing = [...wanted].filter((room) => !socket.rooms.has(room));
    if (missing.length > 0) await socket.join(missing);
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
