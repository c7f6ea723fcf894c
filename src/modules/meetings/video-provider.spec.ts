import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '../../core/config/load-config';
import {
  JitsiVideoProvider,
  NoneVideoProvider,
  parseJitsiRoomName,
  signWebhook,
  verifyWebhookSignature,
} from './video-provider';

const SECRET = 'jitsi-secret-of-at-least-32-bytes-long!';
const config = loadConfig({
  ENVIRONMENT: 'test',
  DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
  VIDEO_PROVIDER: 'jitsi',
  JITSI_DOMAIN: 'meet.example.test',
  JITSI_APP_ID: 'alees-app',
  JITSI_APP_SECRET: SECRET,
  VIDEO_WEBHOOK_SECRET: 'hook-secret',
});
const ORG = '0190a000-0000-7000-8000-000000000001';
const MEETING = '0190a000-0000-7000-8000-000000000002';

describe('video providers', () => {
  it('jitsi: a room per meeting, and an HS256 token with room, user, nbf and exp', async () => {
    const jitsi = new JitsiVideoProvider(config);
    const room = await jitsi.createRoom({ organizationId: ORG, meetingId: MEETING, joinUrl: null });
    expect(room.roomId).toBe(`alees-${ORG}-${MEETING}`);
    expect(parseJitsiRoomName(room.roomId!)).toEqual({ organizationId: ORG, meetingId: MEETING });
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 3600_000);
    const grant = jitsi.createJoinToken(
      room,
      { id: 'u1', name: 'Ada', email: 'ada@example.test' },
      'host',
      expiresAt,
      now,
    );
    const claims = new JwtService().verify<Record<string, unknown>>(grant.token!, {
      secret: SECRET,
      algorithms: ['HS256'],
      audience: 'alees-app',
      issuer: 'alees-app',
    });
    expect(claims).toMatchObject({
      sub: 'meet.example.test',
      room: room.roomId,
      exp: Math.floor(expiresAt.getTime() / 1000),
      nbf: Math.floor(now.getTime() / 1000),
      context: { user: { id: 'u1', name: 'Ada', email: 'ada@example.test', moderator: true } },
    });
    expect(grant.url).toBe(`https://meet.example.test/${room.roomId}?jwt=${grant.token}`);
    expect(() =>
      new JwtService().verify<object>(grant.token!, { secret: 'another-secret' }),
    ).toThrow();
  });

  it('none: the host link, no token, no webhooks', async () => {
    const none = new NoneVideoProvider();
    const room = await none.createRoom({
      organizationId: ORG,
      meetingId: MEETING,
      joinUrl: 'https://x.test/r',
    });
    const expiresAt = new Date();
    expect(
      none.createJoinToken(room, { id: 'u', name: 'n', email: 'e' }, 'participant', expiresAt),
    ).toEqual({
      url: 'https://x.test/r',
      token: null,
      expiresAt,
    });
    expect(none.verifyWebhook()).toBe(false);
  });

  it('webhook signatures: signed timestamp within 5 minutes, constant-time compare', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const ts = now.getTime() / 1000;
    const body = '{"eventId":"e1"}';
    const headers = (t: number, sig = signWebhook('hook-secret', t, body)) => ({
      'x-alees-timestamp': String(t),
      'x-alees-signature': sig,
    });
    expect(verifyWebhookSignature('hook-secret', body, headers(ts), now)).toBe(true);
    expect(verifyWebhookSignature('hook-secret', body, headers(ts - 299), now)).toBe(true);
    expect(verifyWebhookSignature('hook-secret', body, headers(ts - 301), now)).toBe(false);
    expect(verifyWebhookSignature('hook-secret', `${body} `, headers(ts), now)).toBe(false);
    expect(verifyWebhookSignature('other', body, headers(ts), now)).toBe(false);
    expect(verifyWebhookSignature(undefined, body, headers(ts), now)).toBe(false);
    expect(verifyWebhookSignature('hook-secret', body, headers(ts, 'sha256=00'), now)).toBe(false);
    expect(verifyWebhookSignature('hook-secret', body, {}, now)).toBe(false);
  });
});
