import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { Actor, addActor, createTenant } from '../support/auth';
import { addMembership, createUser } from '../factories/identity.factory';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { status: string; code: string; detail: string; source?: { pointer?: string } }[];
}
const codes = (body: unknown) => (body as Envelope).errors.map((e) => e.code);
const pointers = (body: unknown) => (body as Envelope).errors.map((e) => e.source?.pointer).sort();

/** A valid 1×1 PNG. */
function png(): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const byte of buf) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('profiles and the member directory (SPEC-P3 §9)', () => {
  let t: TestApp;
  let owner: Actor;
  let member: Actor;
  let other: Actor;

  const profileRow = async (userId: string) =>
    (
      await t.dataSource.query<Record<string, unknown>[]>(
        'SELECT * FROM user_profiles WHERE user_id = $1',
        [userId],
      )
    )[0];
  const memberRow = async (orgId: string, userId: string) =>
    (
      await t.dataSource.query<Record<string, unknown>[]>(
        'SELECT * FROM member_profiles WHERE organization_id = $1 AND user_id = $2',
        [orgId, userId],
      )
    )[0];
  const fileCount = async (orgId: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM stored_files WHERE organization_id = $1',
        [orgId],
      )
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  describe('/me/profile', () => {
    it('GET makes an empty profile on first use, with an ETag', async () => {
      expect(await profileRow(owner.user.id)).toBeUndefined();
      const res = await owner.get('/api/v1/me/profile').expect(200);
      expect(res.body).toEqual({
        userId: owner.user.id,
        jobTitle: null,
        phone: null,
        avatar: null,
        workingHours: null,
        outOfOfficeUntil: null,
        delegateUserId: null,
        version: 1,
      });
      expect(res.headers.etag).toBe('"1"');
      expect(await profileRow(owner.user.id)).toMatchObject({ version: 1, job_title: null });
    });

    it('PATCH writes every field at If-Match, audits, and a stale version is 412', async () => {
      const workingHours = {
        timeZone: 'Europe/Paris',
        days: {
          mon: [
            { start: '09:00', end: '12:30' },
            { start: '13:30', end: '18:00' },
          ],
        },
      };
      const res = await owner
        .patch('/api/v1/me/profile')
        .set('If-Match', '"1"')
        .send({
          jobTitle: 'Head of purchasing',
          phone: '+33142685300',
          workingHours,
          outOfOfficeUntil: '2030-01-31T18:00:00Z',
          delegateUserId: member.user.id,
        })
        .expect(200);
      expect(res.body).toMatchObject({
        jobTitle: 'Head of purchasing',
        phone: '+33142685300',
        workingHours,
        outOfOfficeUntil: '2030-01-31T18:00:00.000Z',
        delegateUserId: member.user.id,
        version: 2,
      });
      expect(await profileRow(owner.user.id)).toMatchObject({
        job_title: 'Head of purchasing',
        phone: '+33142685300',
        delegate_user_id: member.user.id,
        working_hours: workingHours,
        version: 2,
      });
      const audits = await t.dataSource.query<{ changes: Record<string, unknown> }[]>(
        `SELECT changes FROM audit_logs WHERE entity_type = 'user_profile' AND entity_id = $1`,
        [owner.user.id],
      );
      expect(audits).toHaveLength(1);
      expect(Object.keys(audits[0].changes)).toEqual(
        expect.arrayContaining(['jobTitle', 'phone', 'delegateUserId']),
      );
      const stale = await owner
        .patch('/api/v1/me/profile')
        .set('If-Match', '"1"')
        .send({ jobTitle: 'x' });
      expect(stale.status).toBe(412);
      // null clears one field, the others stay
      const cleared = await owner.patch('/api/v1/me/profile').send({ delegateUserId: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ delegateUserId: null, jobTitle: 'Head of purchasing' });
    });

    it('bad input is 422 per field and writes nothing (phone not E.164, hours, zone, title)', async () => {
      const before = await profileRow(owner.user.id);
      const res = await owner.patch('/api/v1/me/profile').send({
        jobTitle: 'x'.repeat(101),
        phone: '0142685300',
        outOfOfficeUntil: 'next monday',
        workingHours: {
          timeZone: 'Mars/Olympus',
          days: {
            tue: [{ start: '18:00', end: '09:00' }],
            wed: [{ start: '9:00', end: '25:00' }],
            thu: [
              { start: '09:00', end: '13:00' },
              { start: '12:00', end: '17:00' },
            ],
          },
        },
      });
      expect(res.status).toBe(422);
      expect(new Set(codes(res.body))).toEqual(new Set(['validation_error']));
      expect(pointers(res.body)).toEqual(
        expect.arrayContaining([
          '/jobTitle',
          '/phone',
          '/outOfOfficeUntil',
          '/workingHours/timeZone',
          '/workingHours/days/tue/0/end',
          '/workingHours/days/wed/0/start',
          '/workingHours/days/wed/0/end',
          '/workingHours/days/thu',
        ]),
      );
      // A well-formed E.164 string that is no real number is refused too.
      const unreal = await owner.patch('/api/v1/me/profile').send({ phone: '+999123' });
      expect(unreal.status).toBe(422);
      expect(pointers(unreal.body)).toEqual(['/phone']);
      expect(await profileRow(owner.user.id)).toEqual(before);
    });

    it('a delegate outside my organizations, or myself, is 422 invalid_delegate; nothing written', async () => {
      const before = await profileRow(owner.user.id);
      for (const delegateUserId of [other.user.id, owner.user.id, randomUUID()]) {
        const res = await owner.patch('/api/v1/me/profile').send({ delegateUserId });
        expect(res.status).toBe(422);
        expect((res.body as Envelope).errors[0]).toMatchObject({
          code: 'invalid_delegate',
          source: { pointer: '/delegateUserId' },
        });
      }
      expect(await profileRow(owner.user.id)).toEqual(before);
    });
  });

  describe('/me/avatar', () => {
    it('PUT stores a PNG in the active organization’s files and makes it my avatar; DELETE clears it', async () => {
      const res = await member
        .put('/api/v1/me/avatar')
        .attach('file', png(), { filename: 'me.png', contentType: 'image/png' });
      expect(res.status).toBe(200);
      const avatar = (res.body as { avatar: { fileId: string; organizationId: string } }).avatar;
      expect(avatar.organizationId).toBe(owner.organization.id);
      const [file] = await t.dataSource.query<{ content_type: string; status: string }[]>(
        'SELECT content_type, status FROM stored_files WHERE id = $1',
        [avatar.fileId],
      );
      expect(file).toEqual({ content_type: 'image/png', status: 'ready' });
      expect(await profileRow(member.user.id)).toMatchObject({
        avatar_file_id: avatar.fileId,
        avatar_organization_id: owner.organization.id,
      });
      await member.delete('/api/v1/me/avatar').expect(204);
      expect(await profileRow(member.user.id)).toMatchObject({ avatar_file_id: null });
      expect((await member.get('/api/v1/me/profile').expect(200)).body).toMatchObject({
        avatar: null,
      });
    });

    it('not an image, or over 5 MB, is 422 and stores nothing', async () => {
      const files = await fileCount(owner.organization.id);
      const before = await profileRow(member.user.id);
      const text = await member
        .put('/api/v1/me/avatar')
        .attach('file', Buffer.from('just some text\n'), {
          filename: 'me.png',
          contentType: 'image/png',
        });
      expect(text.status).toBe(422);
      expect(codes(text.body)).toEqual(['avatar_not_image']);
      const big = Buffer.concat([png(), Buffer.alloc(5 * 1024 * 1024)]);
      const large = await member
        .put('/api/v1/me/avatar')
        .attach('file', big, { filename: 'big.png', contentType: 'image/png' });
      expect(large.status).toBe(422);
      expect(codes(large.body)).toEqual(['avatar_too_large']);
      const json = await member.put('/api/v1/me/avatar').send({ fileId: randomUUID() });
      expect(json.status).toBe(422);
      expect(codes(json.body)).toEqual(['multipart_required']);
      expect(await fileCount(owner.organization.id)).toBe(files);
      expect(await profileRow(member.user.id)).toEqual(before);
    });
  });

  describe('GET /members', () => {
    let jose: string;
    let suspended: string;
    beforeAll(async () => {
      const a = await createUser(t.dataSource, {
        fullName: 'José Álvarez',
        email: `zed-${randomUUID().slice(0, 6)}@example.test`,
      });
      jose = a.id;
      await addMembership(t.dataSource, { userId: jose, organizationId: owner.organization.id });
      const s = await createUser(t.dataSource, { fullName: 'Josephine Suspended' });
      suspended = s.id;
      await addMembership(t.dataSource, {
        userId: suspended,
        organizationId: owner.organization.id,
      });
      await t.dataSource.query('UPDATE memberships SET suspended_at = now() WHERE user_id = $1', [
        suspended,
      ]);
      // The other tenant has a José too: never listed here.
      const b = await createUser(t.dataSource, { fullName: 'José Other' });
      await addMembership(t.dataSource, { userId: b.id, organizationId: other.organization.id });
    });

    it('lists the active members with job title, matching a name or word prefix ignoring accents, or an email prefix', async () => {
      const all = await member.get('/api/v1/members').expect(200);
      const ids = (all.body as { items: { userId: string }[] }).items.map((i) => i.userId);
      expect(new Set(ids)).toEqual(new Set([owner.user.id, member.user.id, jose]));
      expect((all.body as { total: number }).total).toBe(3);
      const ownerEntry = (all.body as { items: Record<string, unknown>[] }).items.find(
        (i) => i.userId === owner.user.id,
      );
      expect(ownerEntry).toMatchObject({
        email: owner.user.email,
        jobTitle: 'Head of purchasing',
        avatar: null,
      });

      for (const q of ['jose', 'JOSÉ', 'alva', 'Álv', 'zed-']) {
        const res = await member.get(`/api/v1/members?q=${encodeURIComponent(q)}`).expect(200);
        expect({
          q,
          ids: (res.body as { items: { userId: string }[] }).items.map((i) => i.userId),
        }).toEqual({
          q,
          ids: [jose],
        });
      }
      const none = await member.get('/api/v1/members?q=sé').expect(200);
      expect((none.body as { items: unknown[] }).items).toEqual([]);
    });

    it('pages with a cursor: no duplicates, no gaps', async () => {
      const seen: string[] = [];
      let url = '/api/v1/members?size=1';
      for (let i = 0; i < 5; i++) {
        const res = await member.get(url).expect(200);
        const body = res.body as { items: { userId: string }[]; nextCursor?: string };
        seen.push(...body.items.map((item) => item.userId));
        if (!body.nextCursor) break;
        url = `/api/v1/members?size=1&cursor=${encodeURIComponent(body.nextCursor)}`;
      }
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
      const descending = await member.get('/api/v1/members?sort=-name').expect(200);
      const names = (descending.body as { items: { fullName: string }[] }).items.map(
        (i) => i.fullName,
      );
      expect(names[0]).toBe('Test User');
      expect(names[names.length - 1]).toBe('José Álvarez');
      const bad = await member.get('/api/v1/members?cursor=forged.abc');
      expect(bad.status).toBe(422);
    });

    it('another tenant sees none of these members; no profiles:read is 403', async () => {
      const res = await other.get('/api/v1/members').expect(200);
      const ids = (res.body as { items: { userId: string }[] }).items.map((i) => i.userId);
      expect(ids).not.toContain(owner.user.id);
      expect(ids).not.toContain(jose);
      const roleless = await addActor(t, owner.organization, []);
      const denied = await roleless.get('/api/v1/members');
      expect(denied.status).toBe(403);
    });
  });

  describe('/users/{id}/profile and /members/{userId}/profile', () => {
    it('PATCH sets the member record (Owner); private notes only with profiles:read-private', async () => {
      const res = await owner
        .patch(`/api/v1/members/${member.user.id}/profile`)
        .send({
          employeeId: 'E-001',
          managerUserId: owner.user.id,
          department: 'Purchasing',
          employmentStart: '2024-01-15',
          privateNotes: 'Salary review in March',
        })
        .expect(200);
      expect(res.body).toEqual({
        employeeId: 'E-001',
        managerUserId: owner.user.id,
        department: 'Purchasing',
        employmentStart: '2024-01-15',
        employmentEnd: null,
        privateNotes: 'Salary review in March',
        version: 1,
      });
      expect(await memberRow(owner.organization.id, member.user.id)).toMatchObject({
        employee_id: 'E-001',
        private_notes: 'Salary review in March',
      });

      const asOwner = await owner.get(`/api/v1/users/${member.user.id}/profile`).expect(200);
      expect(asOwner.body).toMatchObject({
        id: member.user.id,
        email: member.user.email,
        member: { employeeId: 'E-001', privateNotes: 'Salary review in March' },
      });
      const asMember = await member.get(`/api/v1/users/${member.user.id}/profile`).expect(200);
      expect(asMember.body).toMatchObject({ member: { employeeId: 'E-001' } });
      expect((asMember.body as { member: object }).member).not.toHaveProperty('privateNotes');
      const ownerProfile = await member.get(`/api/v1/users/${owner.user.id}/profile`).expect(200);
      expect(ownerProfile.body).toMatchObject({ profile: { jobTitle: 'Head of purchasing' } });
    });

    it('a member may not change member records (403); nothing written', async () => {
      const before = await memberRow(owner.organization.id, member.user.id);
      const res = await member
        .patch(`/api/v1/members/${member.user.id}/profile`)
        .send({ department: 'Sales' });
      expect(res.status).toBe(403);
      expect(await memberRow(owner.organization.id, member.user.id)).toEqual(before);
    });

    it('bad input, end before start, outsider manager, manager cycle: 422 and nothing written', async () => {
      const before = await memberRow(owner.organization.id, member.user.id);
      const url = `/api/v1/members/${member.user.id}/profile`;
      const bad = await owner.patch(url).send({ employeeId: '', employmentStart: '2024-02-30' });
      expect(bad.status).toBe(422);
      expect(pointers(bad.body)).toEqual(
        expect.arrayContaining(['/employeeId', '/employmentStart']),
      );
      const dates = await owner.patch(url).send({ employmentEnd: '2023-12-31' });
      expect(dates.status).toBe(422);
      expect(codes(dates.body)).toEqual(['invalid_employment_dates']);
      const outsider = await owner.patch(url).send({ managerUserId: other.user.id });
      expect(outsider.status).toBe(422);
      expect(codes(outsider.body)).toEqual(['invalid_manager']);
      const self = await owner.patch(url).send({ managerUserId: member.user.id });
      expect(codes(self.body)).toEqual(['invalid_manager']);
      expect(await memberRow(owner.organization.id, member.user.id)).toEqual(before);

      // member reports to owner; owner reporting to member would close a loop.
      const ownerBefore = await memberRow(owner.organization.id, owner.user.id);
      const cycle = await owner
        .patch(`/api/v1/members/${owner.user.id}/profile`)
        .send({ managerUserId: member.user.id });
      expect(cycle.status).toBe(422);
      expect((cycle.body as Envelope).errors[0]).toMatchObject({
        code: 'manager_cycle',
        source: { pointer: '/managerUserId' },
      });
      expect(await memberRow(owner.organization.id, owner.user.id)).toEqual(ownerBefore);
    });

    it('a duplicate employee id is 409', async () => {
      const third = await addActor(t, owner.organization, ['Member']);
      const res = await owner
        .patch(`/api/v1/members/${third.user.id}/profile`)
        .send({ employeeId: 'e-001' });
      expect(res.status).toBe(409);
    });

    it('another tenant’s member or a person sharing no organization: 404, nothing written', async () => {
      const outsider = await other.get(`/api/v1/users/${member.user.id}/profile`);
      expect(outsider.status).toBe(404);
      expect(codes(outsider.body)).toEqual(['not_found']);
      const stranger = await owner.get(`/api/v1/users/${other.user.id}/profile`);
      expect(stranger.status).toBe(404);
      expect((await owner.get(`/api/v1/users/${randomUUID()}/profile`)).status).toBe(404);
      const patch = await other
        .patch(`/api/v1/members/${member.user.id}/profile`)
        .send({ department: 'Hijack' });
      expect(patch.status).toBe(404);
      expect(await memberRow(other.organization.id, member.user.id)).toBeUndefined();
      expect(await memberRow(owner.organization.id, member.user.id)).toMatchObject({
        department: 'Purchasing',
      });
    });

    it('a person in two organizations is visible from both, with the active organization’s record', async () => {
      await addMembership(t.dataSource, {
        userId: member.user.id,
        organizationId: other.organization.id,
        roles: ['Member'],
      });
      const res = await other.get(`/api/v1/users/${member.user.id}/profile`).expect(200);
      expect(res.body).toMatchObject({
        id: member.user.id,
        member: { employeeId: null, department: null, version: 0 },
      });
    });
  });
});
