import { JwtService } from '@nestjs/jwt';
import type { ParsedMail } from 'mailparser';
import * as nodeIcal from 'node-ical';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../src/core/clock';
import { JitsiVideoProvider, signWebhook } from '../../src/modules/meetings/video-provider';
import type { INestApplicationContext } from '@nestjs/common';
import { Actor, addActor, createTenant } from '../support/auth';
import { ContractActors, describeResourceContract } from '../support/resource-contract';
import { startSmtpServer } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';

const JITSI_SECRET = 'jitsi-app-secret-for-tests-0123456789';
const HOOK_SECRET = 'video-webhook-secret-for-tests';

interface Participant {
  id: string;
  userId: string | null;
  email: string | null;
  role: string;
  rsvp: string;
  joinedAt: string | null;
}
interface Meeting {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  status: string;
  provider: string;
  providerRoomId: string | null;
  joinUrl: string | null;
  icsUid: string;
  icsSequence: number;
  participants: Participant[];
  version: number;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string; parameter?: string } }[];
}

/** The VEVENTs and the METHOD of an iCalendar text, read by node-ical (not the writer's library). */
function parseIcs(text: string) {
  const parsed = nodeIcal.sync.parseICS(text);
  const events = Object.values(parsed).filter((c): c is nodeIcal.VEvent => c?.type === 'VEVENT');
  const method = (parsed.vcalendar as unknown as { method?: string } | undefined)?.method;
  return { events, method };
}

describe('meetings (SPEC-P3 §10)', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let owner: Actor; // Owner: meetings:* incl. manage
  let member: Actor; // Member: read, create, update, delete (own meetings)
  let viewer: Actor; // Viewer: meetings:read only
  let other: Actor; // another tenant's owner
  let actors: ContractActors;
  let worker: INestApplicationContext;

  const errorOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];
  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  const countMeetings = async () =>
    Number(
      (await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM meetings'))[0].n,
    );
  const create = async (actor: Actor, body: Record<string, unknown> = {}): Promise<Meeting> => {
    const res = await actor.post('/api/v1/meetings').send({
      title: 'Weekly review',
      startsAt: inMinutes(60),
      endsAt: inMinutes(120),
      timezone: 'Europe/Paris',
      joinUrl: 'https://meet.example.test/weekly',
      ...body,
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Meeting;
  };
  /** The mail to `to` whose subject matches, once delivered (poll: no sleeps). */
  const mailTo = async (to: string, subject: RegExp): Promise<ParsedMail> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const mail = smtp.received.find(
        (m) => JSON.stringify(m.to).includes(to) && subject.test(m.subject ?? ''),
      );
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${String(subject)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const icsOf = (mail: ParsedMail) => {
    const attachment = mail.attachments.find((a) => a.contentType === 'text/calendar');
    if (!attachment) throw new Error('no text/calendar attachment');
    return attachment.content.toString('utf8');
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: {
        EMAIL_BACKEND: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        JITSI_DOMAIN: 'meet.example.test',
        JITSI_APP_ID: 'alees-test',
        JITSI_APP_SECRET: JITSI_SECRET,
        VIDEO_WEBHOOK_SECRET: HOOK_SECRET,
        // The join test moves the clock past a meeting's end; sessions must outlive that.
        JWT_ACCESS_TOKEN_EXPIRE_MINUTES: '600',
      },
    });
    worker = await t.startWorker();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    other = await createTenant(t);
    actors = {
      t,
      writer: owner,
      reader: viewer,
      stranger: await addActor(t, owner.organization, []),
      otherTenant: other,
    };
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  describeResourceContract(() => actors, {
    url: '/api/v1/meetings',
    table: 'meetings',
    auditType: 'meeting',
    create: () => ({
      title: `Contract ${randomUUID().slice(0, 8)}`,
      startsAt: '2027-02-01T10:00',
      endsAt: '2027-02-01T11:00',
      timezone: 'Europe/Paris',
      joinUrl: 'https://meet.example.test/contract',
    }),
    invalid: {
      body: { title: '', startsAt: 'soon', endsAt: 'later', timezone: 7, joinUrl: 'ftp://x' },
      pointers: ['/title', '/startsAt', '/endsAt', '/timezone', '/joinUrl'],
    },
    update: { body: { title: 'Renamed meeting' }, expect: { title: 'Renamed meeting' } },
    listFilter: () => '?status=scheduled',
    notNullField: 'title',
  });

  it('concurrent cancels of one meeting: one 200, one 409; the sequence moves once', async () => {
    const meeting = await create(owner);
    const answers = await Promise.all([
      owner.post(`/api/v1/meetings/${meeting.id}/cancel`),
      owner.post(`/api/v1/meetings/${meeting.id}/cancel`),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const [row] = await t.dataSource.query<{ status: string; ics_sequence: number }[]>(
      'SELECT status, ics_sequence FROM meetings WHERE id = $1',
      [meeting.id],
    );
    expect(row).toEqual({ status: 'cancelled', ics_sequence: 1 });
  });

  it('creates a meeting: 201, body, rows, event, and an e-mailed invitation with a valid .ics (DST)', async () => {
    const external = `guest-${randomUUID().slice(0, 8)}@example.test`;
    const res = await member
      .post('/api/v1/meetings')
      .send({
        title: 'Spring planning',
        description: 'Agenda in the doc',
        // Local wall-clock times on the day Europe/Paris moves to summer time.
        startsAt: '2026-03-29T10:00',
        endsAt: '2026-03-29T11:30',
        timezone: 'europe/paris',
        joinUrl: 'https://meet.example.test/spring',
        participants: [{ userId: owner.user.id }, { email: external.toUpperCase() }],
      })
      .expect(201);
    const meeting = res.body as Meeting;
    expect(res.headers.location).toBe(`/api/v1/meetings/${meeting.id}`);
    expect(meeting).toMatchObject({
      title: 'Spring planning',
      startsAt: '2026-03-29T08:00:00.000Z',
      endsAt: '2026-03-29T09:30:00.000Z',
      timezone: 'Europe/Paris',
      status: 'scheduled',
      provider: 'none',
      providerRoomId: null,
      joinUrl: 'https://meet.example.test/spring',
      icsUid: `${meeting.id}@alees`,
      icsSequence: 0,
      version: 1,
    });
    expect(meeting.participants.map((p) => [p.role, p.userId ?? p.email, p.rsvp])).toEqual([
      ['host', member.user.id, 'accepted'],
      ['participant', owner.user.id, 'needs_action'],
      ['participant', external, 'needs_action'],
    ]);
    const [row] = await t.dataSource.query<{ organization_id: string; host_user_id: string }[]>(
      'SELECT organization_id, host_user_id FROM meetings WHERE id = $1',
      [meeting.id],
    );
    expect(row).toEqual({ organization_id: owner.organization.id, host_user_id: member.user.id });
    // The audit row of the write (its domain event `meeting.created` is relayed by the worker).
    const audits = await t.dataSource.query<{ action: string; entity_type: string }[]>(
      'SELECT action, entity_type FROM audit_logs WHERE entity_id = $1',
      [meeting.id],
    );
    expect(audits).toEqual([{ action: 'create', entity_type: 'meeting' }]);

    // The invitation, through the queue and the worker, over real SMTP.
    const mail = await mailTo(external, /^Invitation: Spring planning/);
    expect(mail.subject).toBe('Invitation: Spring planning (2026-03-29 10:00)');
    const ics = parseIcs(icsOf(mail));
    expect(ics.method).toBe('REQUEST');
    expect(ics.events).toHaveLength(1);
    expect(ics.events[0].uid).toBe(meeting.icsUid);
    expect(Number(ics.events[0].sequence)).toBe(0);
    expect(ics.events[0].start.toISOString()).toBe('2026-03-29T08:00:00.000Z');
    expect(ics.events[0].end!.toISOString()).toBe('2026-03-29T09:30:00.000Z');
    await mailTo(owner.user.email, /^Invitation: Spring planning/);
    // The host is not e-mailed their own invitation.
    expect(smtp.received.some((m) => JSON.stringify(m.to).includes(member.user.email))).toBe(false);
  });

  it('refuses bad meetings with 422 at the field, writing nothing', async () => {
    const before = await countMeetings();
    const base = {
      title: 'Bad',
      startsAt: '2026-11-01T09:00',
      endsAt: '2026-11-01T10:00',
      timezone: 'America/New_York',
      joinUrl: 'https://meet.example.test/x',
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ endsAt: '2026-11-01T08:59' }, '/endsAt'],
      [{ endsAt: '2026-11-01T09:00' }, '/endsAt'],
      [{ endsAt: '2026-11-02T09:00:01' }, '/endsAt'],
      [{ timezone: 'Mars/Olympus' }, '/timezone'],
      [{ timezone: 'UTC+2' }, '/timezone'],
      [{ startsAt: '2026-03-08T02:30', endsAt: '2026-03-08T04:00' }, '/startsAt'], // skipped by DST
      [{ joinUrl: 'http://meet.example.test/x' }, '/joinUrl'],
      [{ joinUrl: 'javascript:alert(1)' }, '/joinUrl'],
      [{ joinUrl: undefined }, '/joinUrl'],
      [{ participants: [{ userId: other.user.id }] }, '/participants/0/userId'],
      [{ participants: [{ userId: randomUUID() }] }, '/participants/0/userId'],
      [{ title: 'Bad\u0000title' }, '/title'],
      [{ title: 'x'.repeat(201) }, '/title'],
      [{ startsAt: '2026-02-30T10:00' }, '/startsAt'],
    ];
    for (const [patch, pointer] of cases) {
      const res = await owner.post('/api/v1/meetings').send({ ...base, ...patch });
      expect([res.status, errorOf(res).code]).toEqual([422, 'validation_error']);
      expect((res.body as Envelope).errors.map((e) => e.source?.pointer)).toContain(pointer);
    }
    // A target of another tenant is invisible: 404, nothing written.
    const theirs = await create(other);
    await owner
      .post('/api/v1/meetings')
      .send({ ...base, targetType: 'meeting', targetId: theirs.id })
      .expect(404);
    expect(await countMeetings()).toBe(before + 1); // only `other`'s own
  });

  it('403 without the permission; another tenant gets 404 on every route of a meeting', async () => {
    const meeting = await create(owner, { participants: [{ userId: viewer.user.id }] });
    const viewerRes = await viewer.post('/api/v1/meetings').send({
      title: 'No',
      startsAt: inMinutes(60),
      endsAt: inMinutes(90),
      timezone: 'Europe/Paris',
      joinUrl: 'https://meet.example.test/no',
    });
    expect(viewerRes.status).toBe(403);
    await viewer.patch(`/api/v1/meetings/${meeting.id}`).send({ title: 'x' }).expect(403);
    await viewer.post(`/api/v1/meetings/${meeting.id}/cancel`).expect(403);
    await viewer.delete(`/api/v1/meetings/${meeting.id}`).expect(403);
    // A member may update meetings, but only their own (owner holds meetings:manage).
    const res = await member.patch(`/api/v1/meetings/${meeting.id}`).send({ title: 'Mine now' });
    expect([res.status, errorOf(res).code]).toEqual([403, 'not_meeting_host']);

    const id = meeting.id;
    for (const [method, url, body] of [
      ['get', `/api/v1/meetings/${id}`, undefined],
      ['get', `/api/v1/meetings/${id}.ics`, undefined],
      ['patch', `/api/v1/meetings/${id}`, { title: 'Stolen' }],
      ['post', `/api/v1/meetings/${id}/cancel`, undefined],
      [
        'post',
        `/api/v1/meetings/${id}/participants`,
        { participants: [{ email: 'x@example.test' }] },
      ],
      ['delete', `/api/v1/meetings/${id}/participants/${meeting.participants[1].id}`, undefined],
      ['post', `/api/v1/meetings/${id}/rsvp`, { response: 'accepted' }],
      ['post', `/api/v1/meetings/${id}/join`, undefined],
      ['delete', `/api/v1/meetings/${id}`, undefined],
    ] as const) {
      const call = other.request(method, url);
      const answer = body ? await call.send(body) : await call;
      expect([method, url, answer.status]).toEqual([method, url, 404]);
    }
    const list = await other.get('/api/v1/meetings').expect(200);
    expect((list.body as { items: Meeting[] }).items.map((m) => m.id)).not.toContain(id);
    const [row] = await t.dataSource.query<{ title: string; status: string; version: number }[]>(
      'SELECT title, status, version FROM meetings WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ title: 'Weekly review', status: 'scheduled', version: 1 });
  });

  it('reschedule bumps SEQUENCE and re-invites; stale If-Match is 412; cancel sends METHOD:CANCEL', async () => {
    const guest = `resched-${randomUUID().slice(0, 8)}@example.test`;
    const meeting = await create(owner, {
      title: 'Autumn sync',
      startsAt: '2026-10-31T09:00',
      endsAt: '2026-10-31T10:00',
      timezone: 'America/New_York',
      participants: [{ email: guest }],
    });
    expect(meeting.startsAt).toBe('2026-10-31T13:00:00.000Z'); // EDT
    await owner
      .patch(`/api/v1/meetings/${meeting.id}`)
      .set('If-Match', '"99"')
      .send({ startsAt: '2026-11-01T09:00' })
      .expect(412);
    // A title change alone is no reschedule.
    const retitled = await owner
      .patch(`/api/v1/meetings/${meeting.id}`)
      .set('If-Match', `"${meeting.version}"`)
      .send({ title: 'Autumn sync (room B)' })
      .expect(200);
    expect((retitled.body as Meeting).icsSequence).toBe(0);
    const moved = await owner
      .patch(`/api/v1/meetings/${meeting.id}`)
      .send({ startsAt: '2026-11-01T09:00', endsAt: '2026-11-01T10:00' })
      .expect(200);
    expect(moved.body).toMatchObject({
      startsAt: '2026-11-01T14:00:00.000Z', // EST after the change
      endsAt: '2026-11-01T15:00:00.000Z',
      icsSequence: 1,
      icsUid: meeting.icsUid,
    });
    const update = parseIcs(icsOf(await mailTo(guest, /^Updated invitation: Autumn sync/)));
    expect(update.method).toBe('REQUEST');
    expect(update.events[0].uid).toBe(meeting.icsUid);
    expect(Number(update.events[0].sequence)).toBe(1);
    expect(update.events[0].start.toISOString()).toBe('2026-11-01T14:00:00.000Z');

    // A reschedule that breaks the rules writes nothing.
    await owner
      .patch(`/api/v1/meetings/${meeting.id}`)
      .send({ endsAt: '2026-11-03T10:00' })
      .expect(422);

    const cancelled = await owner.post(`/api/v1/meetings/${meeting.id}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', icsSequence: 2 });
    const cancel = parseIcs(icsOf(await mailTo(guest, /^Cancelled: Autumn sync/)));
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.events[0].uid).toBe(meeting.icsUid);
    expect(Number(cancel.events[0].sequence)).toBe(2);
    expect(cancel.events[0].status).toBe('CANCELLED');
    const again = await owner.post(`/api/v1/meetings/${meeting.id}/cancel`);
    expect([again.status, errorOf(again).code]).toEqual([409, 'meeting_cancelled']);
    const actions = await t.dataSource.query<{ action: string }[]>(
      'SELECT action FROM audit_logs WHERE entity_id = $1 ORDER BY created_at, id',
      [meeting.id],
    );
    // meeting.created, meeting.updated ×2, meeting.cancelled
    expect(actions.map((e) => e.action)).toEqual(['create', 'update', 'update', 'cancel']);
  });

  it('participants: add (members or e-mails, 422 for a stranger), remove (not the host), rsvp your own', async () => {
    const meeting = await create(owner);
    const added = await owner
      .post(`/api/v1/meetings/${meeting.id}/participants`)
      .send({ participants: [{ userId: member.user.id }, { email: 'pat@example.test' }] })
      .expect(200);
    const people = (added.body as Meeting).participants;
    expect(people.map((p) => p.userId ?? p.email)).toEqual([
      owner.user.id,
      member.user.id,
      'pat@example.test',
    ]);
    // Again: already there, nothing added.
    const same = await owner
      .post(`/api/v1/meetings/${meeting.id}/participants`)
      .send({ participants: [{ userId: member.user.id }] })
      .expect(200);
    expect((same.body as Meeting).participants).toHaveLength(3);
    const stranger = await owner
      .post(`/api/v1/meetings/${meeting.id}/participants`)
      .send({ participants: [{ email: 'ok@example.test' }, { userId: other.user.id }] });
    expect([stranger.status, errorOf(stranger).source?.pointer]).toEqual([
      422,
      '/participants/1/userId',
    ]);
    const rows = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM meeting_participants WHERE meeting_id = $1',
      [meeting.id],
    );
    expect(rows[0].n).toBe(3);

    const host = people.find((p) => p.role === 'host')!;
    const removeHost = await owner.delete(`/api/v1/meetings/${meeting.id}/participants/${host.id}`);
    expect([removeHost.status, errorOf(removeHost).code]).toEqual([409, 'host_cannot_be_removed']);
    const pat = people.find((p) => p.email === 'pat@example.test')!;
    const removed = await owner
      .delete(`/api/v1/meetings/${meeting.id}/participants/${pat.id}`)
      .expect(200);
    expect((removed.body as Meeting).participants).toHaveLength(2);
    await mailTo('pat@example.test', /^Cancelled: Weekly review/);
    await owner.delete(`/api/v1/meetings/${meeting.id}/participants/${pat.id}`).expect(404);

    const rsvp = await member
      .post(`/api/v1/meetings/${meeting.id}/rsvp`)
      .send({ response: 'tentative' });
    expect(rsvp.status).toBe(200);
    expect((rsvp.body as Meeting).participants.find((p) => p.userId === member.user.id)?.rsvp).toBe(
      'tentative',
    );
    await member
      .post(`/api/v1/meetings/${meeting.id}/rsvp`)
      .send({ response: 'maybe' })
      .expect(422);
    const notInvited = await viewer
      .post(`/api/v1/meetings/${meeting.id}/rsvp`)
      .send({ response: 'accepted' });
    expect([notInvited.status, errorOf(notInvited).code]).toEqual([403, 'not_a_participant']);
    const [answer] = await t.dataSource.query<{ rsvp: string }[]>(
      'SELECT rsvp FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2',
      [meeting.id, member.user.id],
    );
    expect(answer.rsvp).toBe('tentative');
  });

  it('jitsi join: a verifiable token for participants inside the window only, never stored or logged', async () => {
    const meeting = await create(owner, {
      provider: 'jitsi',
      joinUrl: undefined,
      startsAt: inMinutes(10),
      endsAt: inMinutes(200),
      participants: [{ userId: member.user.id }],
    });
    expect(meeting.providerRoomId).toBe(`alees-${owner.organization.id}-${meeting.id}`);
    const before = Date.now();
    // An Idempotency-Key is ignored here: a replay would need the token stored.
    const res = await member
      .post(`/api/v1/meetings/${meeting.id}/join`)
      .set('Idempotency-Key', `join-${meeting.id}`)
      .expect(200);
    const grant = res.body as { url: string; token: string; expiresAt: string };
    const claims = new JwtService().verify<Record<string, unknown>>(grant.token, {
      secret: JITSI_SECRET,
      algorithms: ['HS256'],
      audience: 'alees-test',
      issuer: 'alees-test',
    });
    expect(claims).toMatchObject({
      sub: 'meet.example.test',
      room: meeting.providerRoomId,
      context: {
        user: { id: member.user.id, email: member.user.email, moderator: false },
      },
    });
    const exp = (claims.exp as number) * 1000;
    expect(exp).toBeLessThanOrEqual(before + 2 * 3_600_000 + 1000);
    expect(exp).toBeGreaterThan(before + 3_600_000);
    expect(new Date(grant.expiresAt).getTime()).toBe(exp);
    expect(grant.url).toBe(
      `https://meet.example.test/${meeting.providerRoomId}?jwt=${grant.token}`,
    );
    const hostGrant = await owner.post(`/api/v1/meetings/${meeting.id}/join`).expect(200);
    const hostClaims = new JwtService().verify<{ context: { user: { moderator: boolean } } }>(
      (hostGrant.body as { token: string }).token,
      { secret: JITSI_SECRET },
    );
    expect(hostClaims.context.user.moderator).toBe(true);

    // Not invited: 403; another tenant: 404.
    const outsider = await viewer.post(`/api/v1/meetings/${meeting.id}/join`);
    expect([outsider.status, errorOf(outsider).code]).toEqual([403, 'not_a_participant']);
    await other.post(`/api/v1/meetings/${meeting.id}/join`).expect(404);

    // The token is in no table and no log line.
    const dump = await t.dataSource.query<{ hit: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM audit_logs WHERE changes::text LIKE $1)
           OR EXISTS (SELECT 1 FROM domain_events WHERE data::text LIKE $1)
           OR EXISTS (SELECT 1 FROM meetings WHERE join_url LIKE $1 OR provider_room_id LIKE $1)
           OR EXISTS (SELECT 1 FROM idempotency_keys k WHERE k::text LIKE $1) AS hit`,
      [`%${grant.token.slice(-40)}%`],
    );
    expect(dump[0].hit).toBe(false);
    expect(JSON.stringify(t.logs.lines())).not.toContain(grant.token.slice(-40));

    // Outside the window: too early, and after the end.
    const later = await create(owner, { startsAt: inMinutes(60 * 24), endsAt: inMinutes(60 * 25) });
    const early = await owner.post(`/api/v1/meetings/${later.id}/join`);
    expect([early.status, errorOf(early).code]).toEqual([409, 'join_window_closed']);
    const clock = t.app.get(Clock);
    clock.advance(201 * 60_000);
    try {
      const over = await member.post(`/api/v1/meetings/${meeting.id}/join`);
      expect([over.status, errorOf(over).code]).toEqual([409, 'join_window_closed']);
    } finally {
      clock.reset();
    }
  });

  it('room job: provider calls run in the worker; after the last failed attempt the meeting is provider_error and the host is notified', async () => {
    const pollRow = async (id: string, until: (row: { status: string }) => boolean) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const [row] = await t.dataSource.query<{ status: string }[]>(
          'SELECT status FROM meetings WHERE id = $1',
          [id],
        );
        if (until(row)) return row;
        if (Date.now() > deadline) throw new Error(`meeting ${id} stayed ${row.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const provider = worker.get(JitsiVideoProvider, { strict: false });
    const createRoom = jest
      .spyOn(provider, 'createRoom')
      .mockRejectedValue(new Error('provider unreachable'));
    try {
      const meeting = await create(owner, {
        title: 'Fragile room',
        provider: 'jitsi',
        joinUrl: undefined,
        participants: [{ userId: member.user.id }],
      });
      // The request answered with the planned room at once, without calling the provider.
      expect(meeting).toMatchObject({ status: 'scheduled', providerRoomId: expect.any(String) });
      await pollRow(meeting.id, (row) => row.status === 'provider_error');
      // At most four attempts (the job is queued in the creating transaction, so its first
      // attempt may run before the commit and retry without reaching the provider); other
      // meetings' jobs may call the provider too.
      const attempts = createRoom.mock.calls.filter(([room]) => room.meetingId === meeting.id);
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      expect(attempts.length).toBeLessThanOrEqual(4);
      const notices = await t.dataSource.query<{ recipient_user_id: string; level: string }[]>(
        `SELECT recipient_user_id, level FROM notifications
          WHERE type = 'meeting.provider_error' AND entity_id = $1`,
        [meeting.id],
      );
      expect(notices).toEqual([{ recipient_user_id: owner.user.id, level: 'error' }]);
    } finally {
      createRoom.mockRestore();
    }
  });

  it('GET /meetings/{id}.ics: text/calendar a third-party parser imports at the right instants', async () => {
    const meeting = await create(owner, {
      startsAt: '2026-11-01T09:00',
      endsAt: '2026-11-01T09:45',
      timezone: 'America/New_York',
      participants: [{ email: 'ics@example.test' }],
    });
    const res = await viewer.get(`/api/v1/meetings/${meeting.id}.ics`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    const { events, method } = parseIcs(res.text);
    expect(method).toBeUndefined();
    expect(events.map((e) => [e.uid, e.start.toISOString(), e.end!.toISOString()])).toEqual([
      [meeting.icsUid, '2026-11-01T14:00:00.000Z', '2026-11-01T14:45:00.000Z'],
    ]);
    await t.http.get(`/api/v1/meetings/${meeting.id}.ics`).expect(401);
  });

  it('calendar feed: token shown once (hash stored), feed parses, revoked → 404, token never logged', async () => {
    const mine = await create(member, { startsAt: '2026-12-20T15:00', endsAt: '2026-12-20T16:00' });
    const invited = await create(owner, { participants: [{ userId: member.user.id }] });
    const notMine = await create(owner);
    const key = `feed-${randomUUID()}`;
    const created = await member
      .post('/api/v1/me/calendar-feed-tokens')
      .set('Idempotency-Key', key)
      .expect(201);
    const { id, token, url } = created.body as { id: string; token: string; url: string };
    expect(url).toContain(`/api/v1/me/calendar.ics?token=${token}`);
    const [stored] = await t.dataSource.query<{ token_hash: string; user_id: string }[]>(
      'SELECT token_hash, user_id FROM calendar_feed_tokens WHERE id = $1',
      [id],
    );
    expect(stored.user_id).toBe(member.user.id);
    expect(stored.token_hash).not.toContain(token);
    // Not replayed from idempotency storage (which would have to keep the token): a new token.
    const again = await member
      .post('/api/v1/me/calendar-feed-tokens')
      .set('Idempotency-Key', key)
      .expect(201);
    expect((again.body as { token: string }).token).not.toBe(token);
    const kept = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM idempotency_keys k WHERE k::text LIKE $1',
      [`%${token.split('.')[1]}%`],
    );
    expect(kept[0].n).toBe(0);

    const feed = await t.http
      .get(`/api/v1/me/calendar.ics?token=${encodeURIComponent(token)}`)
      .expect(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
    const uids = parseIcs(feed.text).events.map((e) => e.uid);
    expect(uids).toEqual(expect.arrayContaining([mine.icsUid, invited.icsUid]));
    expect(uids).not.toContain(notMine.icsUid);
    const paris = parseIcs(feed.text).events.find((e) => e.uid === mine.icsUid)!;
    expect(paris.start.toISOString()).toBe('2026-12-20T14:00:00.000Z');
    expect(JSON.stringify(t.logs.lines())).not.toContain(token.split('.')[1]);

    await t.http.get('/api/v1/me/calendar.ics?token=nope').expect(404);
    await t.http
      .get(`/api/v1/me/calendar.ics?token=${other.organization.id}.${token.split('.')[1]}`)
      .expect(404);
    await owner.delete(`/api/v1/me/calendar-feed-tokens/${id}`).expect(404); // not theirs
    await other.delete(`/api/v1/me/calendar-feed-tokens/${id}`).expect(404);
    await member.delete(`/api/v1/me/calendar-feed-tokens/${id}`).expect(204);
    await t.http.get(`/api/v1/me/calendar.ics?token=${encodeURIComponent(token)}`).expect(404);
  });

  it('provider webhook: signed → processed once; replay → no-op; bad signature or old timestamp → 401, nothing written', async () => {
    const meeting = await create(owner, {
      provider: 'jitsi',
      joinUrl: undefined,
      participants: [{ userId: member.user.id }],
    });
    const eventId = `evt-${randomUUID()}`;
    const body = JSON.stringify({
      eventId,
      type: 'participant_joined',
      room: meeting.providerRoomId,
      userId: member.user.id,
      occurredAt: '2026-12-01T10:00:00Z',
    });
    const send = (raw: string, timestamp = Math.floor(Date.now() / 1000), secret = HOOK_SECRET) =>
      t.http
        .post('/api/v1/integrations/video/jitsi/webhook')
        .set('Content-Type', 'application/json')
        .set('X-Alees-Timestamp', String(timestamp))
        .set('X-Alees-Signature', signWebhook(secret, timestamp, raw))
        .send(raw);
    const eventRows = async () =>
      (
        await t.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM video_provider_events WHERE event_id = $1',
          [eventId],
        )
      )[0].n;

    const forged = await send(body, undefined, 'not-the-secret');
    expect([forged.status, errorOf(forged).code]).toEqual([401, 'invalid_webhook_signature']);
    await send(body, Math.floor(Date.now() / 1000) - 301).expect(401);
    // A body changed after signing (here: whitespace) fails too.
    const ts = Math.floor(Date.now() / 1000);
    await t.http
      .post('/api/v1/integrations/video/jitsi/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Alees-Timestamp', String(ts))
      .set('X-Alees-Signature', signWebhook(HOOK_SECRET, ts, body))
      .send(`${body} `)
      .expect(401);
    await t.http
      .post('/api/v1/integrations/video/jitsi/webhook')
      .send(JSON.parse(body) as object)
      .expect(401);
    expect(await eventRows()).toBe(0);
    const [untouched] = await t.dataSource.query<{ status: string }[]>(
      'SELECT status FROM meetings WHERE id = $1',
      [meeting.id],
    );
    expect(untouched.status).toBe('scheduled');

    expect((await send(body).expect(200)).body).toEqual({ result: 'processed' });
    expect((await send(body).expect(200)).body).toEqual({ result: 'duplicate' });
    expect(await eventRows()).toBe(1);
    const [after] = await t.dataSource.query<{ status: string; version: number }[]>(
      'SELECT status, version FROM meetings WHERE id = $1',
      [meeting.id],
    );
    expect(after).toEqual({ status: 'in_progress', version: 2 });
    const [presence] = await t.dataSource.query<{ joined_at: Date }[]>(
      'SELECT joined_at FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2',
      [meeting.id, member.user.id],
    );
    expect(presence.joined_at.toISOString()).toBe('2026-12-01T10:00:00.000Z');

    // A room of no meeting: acknowledged, ignored; an unknown provider: 404.
    const stray = JSON.stringify({
      eventId: `evt-${randomUUID()}`,
      type: 'room_created',
      room: 'lobby',
    });
    expect((await send(stray).expect(200)).body).toEqual({ result: 'ignored' });
    await t.http.post('/api/v1/integrations/video/zoom/webhook').send({}).expect(404);
    // Signed garbage is a 422, nothing written.
    await send(JSON.stringify({ eventId: '', type: 'boom', room: 1 })).expect(422);
  });

  it('lists with the filter grammar: participant eq @me, status, startsAt range', async () => {
    const a = await create(member, { startsAt: '2027-01-10T10:00', endsAt: '2027-01-10T11:00' });
    const b = await create(owner, {
      startsAt: '2027-01-11T10:00',
      endsAt: '2027-01-11T11:00',
      participants: [{ userId: member.user.id }],
    });
    const c = await create(owner, { startsAt: '2027-01-12T10:00', endsAt: '2027-01-12T11:00' });
    const filter = (f: object) =>
      `/api/v1/meetings?filter=${encodeURIComponent(JSON.stringify(f))}`;
    const range = { field: 'startsAt', op: 'gte', value: '2027-01-10T00:00:00Z' };
    const mineRes = await member
      .get(filter({ and: [range, { field: 'participant', op: 'eq', value: '@me' }] }))
      .expect(200);
    expect((mineRes.body as { items: Meeting[] }).items.map((m) => m.id)).toEqual([a.id, b.id]);
    const window = await owner
      .get(
        filter({
          and: [
            range,
            { field: 'startsAt', op: 'lt', value: '2027-01-12T00:00:00Z' },
            { field: 'status', op: 'eq', value: 'scheduled' },
          ],
        }),
      )
      .expect(200);
    expect((window.body as { items: Meeting[] }).items.map((m) => m.id)).toEqual([a.id, b.id]);
    const hosted = await owner
      .get(
        `${filter({ field: 'startsAt', op: 'lt', value: '2027-01-13T00:00:00Z' })}&host=${owner.user.id}&sort=-startsAt&size=1`,
      )
      .expect(200);
    expect((hosted.body as { items: Meeting[] }).items[0].id).toBe(c.id);
    const bad = await owner.get(filter({ field: 'nope', op: 'eq', value: 1 }));
    expect([bad.status, errorOf(bad).code]).toEqual([422, 'invalid_filter']);
  });

  it('Idempotency-Key replays a create; delete removes the meeting and its participants', async () => {
    const key = randomUUID();
    const body = {
      title: 'Once',
      startsAt: inMinutes(60),
      endsAt: inMinutes(90),
      timezone: 'Europe/Paris',
      joinUrl: 'https://meet.example.test/once',
    };
    const first = await owner
      .post('/api/v1/meetings')
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    const second = await owner
      .post('/api/v1/meetings')
      .set('Idempotency-Key', key)
      .send(body)
      .expect(201);
    expect((second.body as Meeting).id).toBe((first.body as Meeting).id);
    const id = (first.body as Meeting).id;
    // A meeting is a collaboration target: comments and followers hang off it, and go with it.
    await member
      .post('/api/v1/comments')
      .send({ entityType: 'meeting', entityId: id, body: 'See you there' })
      .expect(201);
    await other
      .post('/api/v1/comments')
      .send({ entityType: 'meeting', entityId: id, body: 'Let me in' })
      .expect(404);
    await owner.delete(`/api/v1/meetings/${id}`).set('If-Match', '"7"').expect(412);
    await owner.delete(`/api/v1/meetings/${id}`).expect(204);
    await owner.get(`/api/v1/meetings/${id}`).expect(404);
    const rows = await t.dataSource.query<{ n: number }[]>(
      'SELECT (SELECT count(*) FROM meetings WHERE id = $1)::int + (SELECT count(*) FROM meeting_participants WHERE meeting_id = $1)::int AS n',
      [id],
    );
    expect(rows[0].n).toBe(0);
    const comments = await t.dataSource.query<{ n: number }[]>(
      "SELECT count(*)::int AS n FROM comments WHERE entity_type = 'meeting' AND entity_id = $1",
      [id],
    );
    expect(comments[0].n).toBe(0);
  });
});
