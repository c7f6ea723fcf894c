import { randomUUID } from 'node:crypto';
import { signWebhook } from '../../src/modules/meetings/video-provider';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

const HOOK_SECRET = 'video-webhook-secret-for-review';

/** Review of issue 20 (meetings): what an attacker or a careless path could get past. */
describe('meetings: review', () => {
  let t: TestApp;
  let owner: Actor;
  let member: Actor;

  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

  beforeAll(async () => {
    t = await createTestApp({ env: { VIDEO_WEBHOOK_SECRET: HOOK_SECRET } });
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
  });
  afterAll(() => t.close());

  it('a calendar feed token stops working when its owner is no longer an active member', async () => {
    await owner
      .post('/api/v1/meetings')
      .send({
        title: 'Board: confidential merger',
        startsAt: inMinutes(60),
        endsAt: inMinutes(120),
        timezone: 'Europe/Paris',
        joinUrl: 'https://meet.example.test/board',
        participants: [{ userId: member.user.id }],
      })
      .expect(201);
    const { token } = (await member.post('/api/v1/me/calendar-feed-tokens').expect(201)).body as {
      token: string;
    };
    const feed = () => t.http.get(`/api/v1/me/calendar.ics?token=${encodeURIComponent(token)}`);
    expect((await feed().expect(200)).text).toContain('confidential merger');

    const memberships = await owner.get(`/api/v1/memberships?userId=${member.user.id}`).expect(200);
    const membershipId = (memberships.body as { items: { id: string }[] }).items[0].id;
    await owner.post(`/api/v1/memberships/${membershipId}/suspend`).expect(200);
    const res = await feed();
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('confidential merger');

    // Back in: the same token reads again (it was never revoked).
    await owner.post(`/api/v1/memberships/${membershipId}/reactivate`).expect(200);
    await feed().expect(200);
  });

  it('a malformed feed token that looks like one answers 404, never 500', async () => {
    const tail = 'A'.repeat(43);
    for (const org of ['-'.repeat(36), 'f'.repeat(36), '0'.repeat(8) + '-'.repeat(28)]) {
      const res = await t.http.get(`/api/v1/me/calendar.ics?token=${org}.${tail}`);
      expect([org, res.status]).toEqual([org, 404]);
    }
  });

  it('a calendar feed token stops working when its owner loses meetings:read', async () => {
    const reader = await addActor(t, owner.organization, ['Member']);
    await owner
      .post('/api/v1/meetings')
      .send({
        title: 'Payroll review',
        startsAt: inMinutes(60),
        endsAt: inMinutes(120),
        timezone: 'Europe/Paris',
        joinUrl: 'https://meet.example.test/payroll',
        participants: [{ userId: reader.user.id }],
      })
      .expect(201);
    const { token } = (await reader.post('/api/v1/me/calendar-feed-tokens').expect(201)).body as {
      token: string;
    };
    const feed = () => t.http.get(`/api/v1/me/calendar.ics?token=${encodeURIComponent(token)}`);
    expect((await feed().expect(200)).text).toContain('Payroll review');
    const membershipId = (
      (await owner.get(`/api/v1/memberships?userId=${reader.user.id}`).expect(200)).body as {
        items: { id: string }[];
      }
    ).items[0].id;
    await owner.patch(`/api/v1/memberships/${membershipId}`).send({ roleIds: [] }).expect(200);
    await reader.get('/api/v1/meetings').expect(403);
    const res = await feed();
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('Payroll review');
  });

  it('a signed webhook for a room of an organization that no longer exists is acknowledged and ignored, not a 409', async () => {
    // A purged tenant's Jitsi room still reports; the provider would retry a 5xx for ever.
    const raw = JSON.stringify({
      eventId: `evt-${randomUUID()}`,
      type: 'room_destroyed',
      room: `alees-${randomUUID()}-${randomUUID()}`,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await t.http
      .post('/api/v1/integrations/video/jitsi/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Alees-Timestamp', String(timestamp))
      .set('X-Alees-Signature', signWebhook(HOOK_SECRET, timestamp, raw))
      .send(raw);
    expect([res.status, res.body]).toEqual([200, { result: 'ignored' }]);
  });

  it('the host-supplied join link is shown to the host and participants only (get, list, .ics)', async () => {
    const outsider = await addActor(t, owner.organization, ['Member']);
    const link = 'https://meet.example.test/secret-room-4711';
    const created = await owner
      .post('/api/v1/meetings')
      .send({
        title: 'Pricing review',
        startsAt: inMinutes(60),
        endsAt: inMinutes(90),
        timezone: 'Europe/Paris',
        joinUrl: link,
        participants: [{ userId: member.user.id }],
      })
      .expect(201);
    const id = (created.body as { id: string; joinUrl: string }).id;
    expect((created.body as { joinUrl: string }).joinUrl).toBe(link); // the host
    expect(
      ((await member.get(`/api/v1/meetings/${id}`).expect(200)).body as { joinUrl: string })
        .joinUrl,
    ).toBe(link); // a participant
    // A member who may read meetings but is not invited sees no link anywhere.
    const seen = (await outsider.get(`/api/v1/meetings/${id}`).expect(200)).body as {
      joinUrl: string | null;
      title: string;
    };
    expect(seen).toMatchObject({ title: 'Pricing review', joinUrl: null });
    const listed = (await outsider.get('/api/v1/meetings?size=100').expect(200)).body as {
      items: { id: string; joinUrl: string | null }[];
    };
    expect(listed.items.find((m) => m.id === id)?.joinUrl).toBeNull();
    expect(JSON.stringify(listed)).not.toContain('secret-room-4711');
    const ics = await outsider.get(`/api/v1/meetings/${id}.ics`).expect(200);
    expect(ics.text).toContain('Pricing review');
    expect(ics.text).not.toContain('secret-room-4711');
    expect((await member.get(`/api/v1/meetings/${id}.ics`).expect(200)).text).toContain(
      'secret-room-4711',
    );
  });
});
