import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../core/config';
import type { ParticipantRole, VideoProviderName } from './meeting.entity';

/** How far a webhook's timestamp may be from now: 5 minutes (replays of old bodies are refused). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
/** The headers a provider webhook carries: unix seconds, and `sha256=<hex>` over `<ts>.<body>`. */
export const WEBHOOK_TIMESTAMP_HEADER = 'x-alees-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'x-alees-signature';

/** The meeting a provider room is for (room ids carry the organization: webhooks find it). */
export interface VideoRoomRequest {
  organizationId: string;
  meetingId: string;
  /** The host-supplied link (`none` only). */
  joinUrl: string | null;
}

/** What a provider answers for a room: its id (null: no room) and the link people open. */
export interface VideoRoom {
  roomId: string | null;
  joinUrl: string | null;
}

/** Who joins: the signed-in member (their id, display name and e-mail). */
export interface JoinUser {
  id: string;
  name: string;
  email: string;
}

/** What `POST /meetings/{id}/join` answers: where to go, the token (null: none), its expiry. */
export interface JoinGrant {
  url: string;
  token: string | null;
  expiresAt: Date;
}

/**
 * A video provider (SPEC-P3 §10). Rooms are keyed by the meeting; join tokens are short-lived and
 * never stored (the caller returns them once). `verifyWebhook` checks a signed body.
 */
export interface VideoProvider {
  readonly name: VideoProviderName;
  /**
   * The room a meeting will have, computed without calling the provider (no I/O), so the request
   * can answer and invite at once; `createRoom` (in the worker) then sets it up at the provider.
   */
  plannedRoom(request: VideoRoomRequest): VideoRoom;
  createRoom(request: VideoRoomRequest): Promise<VideoRoom>;
  updateRoom(request: VideoRoomRequest, roomId: string | null): Promise<VideoRoom>;
  deleteRoom(roomId: string | null): Promise<void>;
  /** A grant for `user` in `room` with `role`, valid until `expiresAt` (≤ 2 h: the caller's rule). */
  createJoinToken(
    room: VideoRoom,
    user: JoinUser,
    role: ParticipantRole,
    expiresAt: Date,
    now: Date,
  ): JoinGrant;
  /** Whether `rawBody` carries a valid signature made within 5 minutes of `now`. */
  verifyWebhook(rawBody: string, headers: Record<string, unknown>, now: Date): boolean;
}

/**
 * The signature a provider webhook carries: `sha256=` + hex HMAC-SHA256 of `<timestamp>.<rawBody>`
 * with `secret` (the scheme of Stripe's and GitHub's webhooks: the timestamp is signed, so an old
 * body cannot be replayed with a fresh timestamp).
 */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * Checks `headers` (`x-alees-timestamp`, `x-alees-signature`) against `rawBody`: false without a
 * secret, with a timestamp more than 5 minutes from `now`, or with a signature that differs
 * (compared in constant time).
 */
export function verifyWebhookSignature(
  secret: string | undefined,
  rawBody: string,
  headers: Record<string, unknown>,
  now: Date,
): boolean {
  const timestampText = headers[WEBHOOK_TIMESTAMP_HEADER];
  const signature = headers[WEBHOOK_SIGNATURE_HEADER];
  if (!secret || typeof timestampText !== 'string' || typeof signature !== 'string') return false;
  if (!/^\d{1,12}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  if (Math.abs(now.getTime() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `none`: no provider. The room is the host-supplied https link, unchanged; there is no token
 * (`token: null`): whoever has the link joins, as with any link pasted in an invitation. No
 * webhooks (always refused).
 */
@Injectable()
export class NoneVideoProvider implements VideoProvider {
  readonly name = 'none' as const;

  plannedRoom(request: VideoRoomRequest): VideoRoom {
    return { roomId: null, joinUrl: request.joinUrl };
  }

  createRoom(request: VideoRoomRequest): Promise<VideoRoom> {
    return Promise.resolve(this.plannedRoom(request));
  }

  updateRoom(request: VideoRoomRequest): Promise<VideoRoom> {
    return this.createRoom(request);
  }

  deleteRoom(): Promise<void> {
    return Promise.resolve();
  }

  createJoinToken(
    room: VideoRoom,
    _user: JoinUser,
    _role: ParticipantRole,
    expiresAt: Date,
  ): JoinGrant {
    if (!room.joinUrl) throw new Error('NoneVideoProvider: the meeting has no join URL');
    return { url: room.joinUrl, token: null, expiresAt };
  }

  verifyWebhook(): boolean {
    return false;
  }
}

/**
 * Self-hosted Jitsi Meet with JWT authentication (prosody `token` auth): a room per meeting named
 * `alees-<organization id>-<meeting id>` (Jitsi creates it on the first join, so create/update/
 * delete make no network call; they still run in the worker's room job like any provider's), and a join token signed HS256 with `JITSI_APP_SECRET`: `iss` = `aud` =
 * `JITSI_APP_ID`, `sub` = `JITSI_DOMAIN`, `room`, `context.user` {id, name, email, moderator (the
 * host)}, `nbf` = now, `exp` = the expiry. Webhooks (a prosody event-sync hook) are signed with
 * `VIDEO_WEBHOOK_SECRET` (see {@link verifyWebhookSignature}).
 */
@Injectable()
export class JitsiVideoProvider implements VideoProvider {
  readonly name = 'jitsi' as const;
  private readonly jwt = new JwtService();

  constructor(private readonly config: AppConfig) {}

  plannedRoom(request: VideoRoomRequest): VideoRoom {
    const roomId = jitsiRoomName(request.organizationId, request.meetingId);
    return { roomId, joinUrl: `https://${this.config.video.jitsi.domain}/${roomId}` };
  }

  /** Self-hosted Jitsi creates a room on its first join: nothing to call. */
  createRoom(request: VideoRoomRequest): Promise<VideoRoom> {
    return Promise.resolve(this.plannedRoom(request));
  }

  updateRoom(request: VideoRoomRequest): Promise<VideoRoom> {
    return this.createRoom(request);
  }

  deleteRoom(): Promise<void> {
    return Promise.resolve();
  }

  createJoinToken(
    room: VideoRoom,
    user: JoinUser,
    role: ParticipantRole,
    expiresAt: Date,
    now: Date,
  ): JoinGrant {
    const { appId, appSecret, domain } = this.config.video.jitsi;
    if (!appSecret) throw new Error('JitsiVideoProvider: JITSI_APP_SECRET is not set');
    if (!room.roomId || !room.joinUrl)
      throw new Error('JitsiVideoProvider: the meeting has no room');
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const token = this.jwt.sign(
      {
        iss: appId,
        aud: appId,
        sub: domain,
        room: room.roomId,
        nbf: nowSeconds,
        exp: Math.floor(expiresAt.getTime() / 1000),
        context: {
          user: { id: user.id, name: user.name, email: user.email, moderator: role === 'host' },
        },
      },
      { secret: appSecret, algorithm: 'HS256', noTimestamp: false },
    );
    return { url: `${room.joinUrl}?jwt=${token}`, token, expiresAt };
  }

  verifyWebhook(rawBody: string, headers: Record<string, unknown>, now: Date): boolean {
    return verifyWebhookSignature(this.config.video.webhookSecret, rawBody, headers, now);
  }
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ROOM = new RegExp(`^alees-(${UUID})-(${UUID})$`);

/** The Jitsi room of a meeting: `alees-<organization id>-<meeting id>`. */
export function jitsiRoomName(organizationId: string, meetingId: string): string {
  return `alees-${organizationId}-${meetingId}`;
}

/** The organization and meeting a Jitsi room name stands for, or null. */
export function parseJitsiRoomName(
  room: string,
): { organizationId: string; meetingId: string } | null {
  const match = ROOM.exec(room);
  return match ? { organizationId: match[1], meetingId: match[2] } : null;
}

/** The providers by name (`VideoProviders.get('jitsi')`). */
@Injectable()
export class VideoProviders {
  constructor(
    private readonly none: NoneVideoProvider,
    private readonly jitsi: JitsiVideoProvider,
  ) {}

  get(name: VideoProviderName): VideoProvider {
    return name === 'jitsi' ? this.jitsi : this.none;
  }
}
