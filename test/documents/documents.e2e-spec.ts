import { randomBytes, randomUUID } from 'node:crypto';
import { addActor, createTenant, superuserIn, type Actor } from '../support/auth';
import {
  ContractActors,
  describeResourceContract,
  tenantActors,
} from '../support/resource-contract';
import { DomainEventsRelay } from '../../src/modules/domain-events';
import { createTestApp, TestApp } from '../support/test-app';

interface Doc {
  id: string;
  title: string;
  status: string;
  folderId: string | null;
  target: { entityType: string; entityId: string } | null;
  currentVersion: number;
  fileId: string;
  lock: { lockedBy: string; lockExpiresAt: string } | null;
  tags: string[];
  customFields: Record<string, unknown>;
  version: number;
}
interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}

const pdf = (text = randomBytes(8).toString('hex')) =>
  Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);
const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];

describe('documents (SPEC-P3 §5)', () => {
  let t: TestApp;
  let owner: Actor; // Owner: everything, documents:manage
  let member: Actor; // Member: documents:create|update|delete, no documents:manage
  let viewer: Actor; // Viewer: documents:read
  let noRole: Actor;
  let other: Actor; // another tenant's Owner

  const upload = async (actor: Actor = owner, body = pdf()) =>
    (
      (await actor.post('/api/v1/files').attach('file', body, 'contract.pdf').expect(201)).body as {
        id: string;
      }
    ).id;
  const createDoc = async (body: Record<string, unknown> = {}, actor: Actor = owner) => {
    const res = await actor.post('/api/v1/documents').send({
      title: `Contract ${randomUUID().slice(0, 6)}`,
      fileId: await upload(actor === other ? other : owner),
      ...body,
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Doc;
  };
  const count = async (table: string, where = 'TRUE', params: unknown[] = []) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
        params,
      )
    )[0].n;
  const versionsOf = async (id: string) =>
    (
      await t.dataSource.query<{ number: number }[]>(
        'SELECT number FROM document_versions WHERE document_id = $1 ORDER BY number',
        [id],
      )
    ).map((r) => r.number);

  let contract: ContractActors;

  beforeAll(async () => {
    t = await createTestApp();
    contract = await tenantActors(t);
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    noRole = await addActor(t, owner.organization, []);
    other = await createTenant(t);
  });
  afterAll(() => t.close());

  describe('folders', () => {
    describeResourceContract(() => contract, {
      url: '/api/v1/folders',
      table: 'folders',
      auditType: 'folder',
      create: () => ({ name: `Folder ${randomUUID().slice(0, 8)}` }),
      invalid: { body: { name: '', parentId: 'nope' }, pointers: ['/name', '/parentId'] },
      update: { body: { name: 'Renamed folder' }, expect: { name: 'Renamed folder' } },
      listFilter: () => '?q=folder',
    });

    it('creates, renames, moves (no cycles), lists and deletes empty folders; all audited', async () => {
      const root = await owner.post('/api/v1/folders').send({ name: 'Legal' }).expect(201);
      const child = await owner
        .post('/api/v1/folders')
        .send({ name: 'Contracts', parentId: root.body.id })
        .expect(201);
      expect(child.body).toMatchObject({ parentId: root.body.id, depth: 1, version: 1 });
      expect(child.headers.location).toBe(`/api/v1/folders/${child.body.id}`);
      // Sibling names are unique ignoring case.
      expect((await owner.post('/api/v1/folders').send({ name: 'legal' })).status).toBe(409);
      // A folder never goes under itself or its descendants.
      const cycle = await owner
        .post(`/api/v1/folders/${root.body.id}/move`)
        .send({ parentId: child.body.id });
      expect(cycle.status).toBe(422);
      expect(codeOf(cycle).code).toBe('tree_cycle');
      const renamed = await owner
        .patch(`/api/v1/folders/${child.body.id}`)
        .set('If-Match', '"1"')
        .send({ name: 'Agreements' })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: 'Agreements', version: 2 });
      const moved = await owner
        .post(`/api/v1/folders/${child.body.id}/move`)
        .send({ parentId: null })
        .expect(200);
      expect(moved.body).toMatchObject({ parentId: null, depth: 0 });
      const list = await viewer.get(`/api/v1/folders?q=agree`).expect(200);
      expect(list.body.items.map((f: { id: string }) => f.id)).toEqual([child.body.id]);
      // Not empty: a document in it.
      await createDoc({ folderId: child.body.id });
      const full = await owner.delete(`/api/v1/folders/${child.body.id}`);
      expect(full.status).toBe(409);
      expect(codeOf(full).code).toBe('folder_not_empty');
      await owner.delete(`/api/v1/folders/${root.body.id}`).expect(204);
      expect(await count('folders', 'id = $1', [root.body.id])).toBe(0);
      const actions = await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_logs WHERE entity_type = 'folder' AND entity_id = $1 ORDER BY created_at`,
        [child.body.id],
      );
      expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'move']);
    });

    it('422 with nothing written, 403 without permission, 404 for another tenant', async () => {
      const before = await count('folders');
      const bad = await owner.post('/api/v1/folders').send({ name: ' \u200b ', parentId: 'x' });
      expect(bad.status).toBe(422);
      const pointers = (bad.body as Envelope).errors.map((e) => e.source?.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/name', '/parentId']));
      expect((await owner.post('/api/v1/folders').send({ name: 'a\u0000b' })).status).toBe(422);
      expect((await viewer.post('/api/v1/folders').send({ name: 'X' })).status).toBe(403);
      expect((await noRole.get('/api/v1/folders')).status).toBe(403);
      const mine = await owner.post('/api/v1/folders').send({ name: 'Mine' }).expect(201);
      expect(await count('folders')).toBe(before + 1);
      expect((await other.get(`/api/v1/folders/${mine.body.id}`)).status).toBe(404);
      expect(
        (await other.patch(`/api/v1/folders/${mine.body.id}`).send({ name: 'Y' })).status,
      ).toBe(404);
      expect((await other.delete(`/api/v1/folders/${mine.body.id}`)).status).toBe(404);
      // Another tenant's folder as a parent: refused, never linked.
      const theirs = await other
        .post('/api/v1/folders')
        .send({ name: 'Theirs', parentId: mine.body.id });
      expect(theirs.status).toBe(422);
      expect(codeOf(theirs).source?.pointer).toBe('/parentId');
    });
  });

  describe('documents', () => {
    it('creates version 1 from a ready file, reads, lists with filters and q, updates with If-Match, deletes', async () => {
      const folder = await owner
        .post('/api/v1/folders')
        .send({ name: `F ${randomUUID()}` })
        .expect(201);
      const type = await owner
        .post('/api/v1/categories')
        .send({ type: 'document', name: `Invoices ${randomUUID().slice(0, 4)}` })
        .expect(201);
      await owner
        .post('/api/v1/custom-fields')
        .send({ entityType: 'document', key: 'ref', label: 'Reference', type: 'text' })
        .expect(201);
      const fileId = await upload();
      const res = await owner.post('/api/v1/documents').send({
        title: 'Supply agreement Zephyr',
        fileId,
        folderId: folder.body.id,
        documentTypeId: type.body.id,
        tags: ['Legal'],
        customFields: { ref: 'A-1' },
        changeNote: 'First draft',
      });
      expect(res.status).toBe(201);
      const doc = res.body as Doc;
      expect(res.headers.location).toBe(`/api/v1/documents/${doc.id}`);
      expect(doc).toMatchObject({
        title: 'Supply agreement Zephyr',
        status: 'draft',
        currentVersion: 1,
        fileId,
        folderId: folder.body.id,
        tags: ['Legal'],
        customFields: { ref: 'A-1' },
        lock: null,
        version: 1,
      });
      expect(await versionsOf(doc.id)).toEqual([1]);
      const read = await viewer.get(`/api/v1/documents/${doc.id}`).expect(200);
      expect(read.headers.etag).toBe('"1"');
      expect(read.body).toEqual(doc);

      const ids = async (query: string) =>
        ((await viewer.get(`/api/v1/documents?${query}`).expect(200)).body.items as Doc[]).map(
          (d) => d.id,
        );
      expect(await ids('q=zephyr')).toEqual([doc.id]);
      expect(await ids('q=zeph')).toEqual([doc.id]);
      expect(await ids(`folderId=${folder.body.id}`)).toEqual([doc.id]);
      expect(await ids(`type=${type.body.id}`)).toEqual([doc.id]);
      expect(await ids(`tag=legal&q=zephyr`)).toEqual([doc.id]);
      expect(
        await ids(
          `filter=${encodeURIComponent(JSON.stringify({ field: 'cf.ref', op: 'eq', value: 'A-1' }))}`,
        ),
      ).toEqual([doc.id]);
      expect(await ids('q=nothingmatches')).toEqual([]);

      expect(
        (
          await owner
            .patch(`/api/v1/documents/${doc.id}`)
            .set('If-Match', '"9"')
            .send({ title: 'X' })
        ).status,
      ).toBe(412);
      const updated = await owner
        .patch(`/api/v1/documents/${doc.id}`)
        .set('If-Match', '"1"')
        .send({ title: 'Supply agreement v2', status: 'approved' })
        .expect(200);
      expect(updated.body).toMatchObject({
        title: 'Supply agreement v2',
        status: 'approved',
        version: 2,
      });
      const events = await t.dataSource.query<{ type: string }[]>(
        `SELECT type FROM domain_events WHERE entity_id = $1 ORDER BY id`,
        [doc.id],
      );
      expect(events.map((e) => e.type)).toEqual(['document.created', 'document.status_changed']);
      // A status that is not in the registry.
      const badStatus = await owner.patch(`/api/v1/documents/${doc.id}`).send({ status: 'nope' });
      expect(badStatus.status).toBe(422);
      expect(codeOf(badStatus).code).toBe('invalid_status');

      await owner.delete(`/api/v1/documents/${doc.id}`).set('If-Match', '"2"').expect(204);
      expect((await owner.get(`/api/v1/documents/${doc.id}`)).status).toBe(404);
      const [row] = await t.dataSource.query<{ deleted_at: Date | null }[]>(
        'SELECT deleted_at FROM documents WHERE id = $1',
        [doc.id],
      );
      expect(row.deleted_at).not.toBeNull();
      expect(await count('taggings', `target_type = 'document' AND target_id = $1`, [doc.id])).toBe(
        0,
      );
    });

    it('every route: 403 without its permission, 422 for a malformed body; nothing written', async () => {
      const doc = await createDoc();
      const folder = (
        await owner
          .post('/api/v1/folders')
          .send({ name: `P ${randomUUID()}` })
          .expect(201)
      ).body;
      const id = doc.id;
      const future = new Date(Date.now() + 86_400_000).toISOString();
      const forbidden: [Actor, string, string, Record<string, unknown>?][] = [
        [noRole, 'get', '/api/v1/documents'],
        [noRole, 'get', `/api/v1/documents/${id}`],
        [noRole, 'get', `/api/v1/documents/${id}/versions`],
        [noRole, 'get', `/api/v1/documents/${id}/content`],
        [noRole, 'get', `/api/v1/documents/${id}/share-links`],
        [noRole, 'get', `/api/v1/folders/${folder.id}`],
        [
          viewer,
          'post',
          `/api/v1/documents/${id}/versions`,
          { fileId: doc.fileId, expectedVersion: 1 },
        ],
        [viewer, 'post', `/api/v1/documents/${id}/versions/1/restore`, {}],
        [viewer, 'post', `/api/v1/documents/${id}/checkin`, {}],
        [viewer, 'post', `/api/v1/documents/${id}/share-links`, { expiresAt: future }],
        [viewer, 'post', `/api/v1/documents/${id}/force-unlock`, {}],
        [viewer, 'patch', `/api/v1/folders/${folder.id}`, { name: 'No' }],
        [viewer, 'post', `/api/v1/folders/${folder.id}/move`, { parentId: null }],
        [viewer, 'delete', `/api/v1/folders/${folder.id}`],
      ];
      for (const [actor, method, url, body] of forbidden) {
        const res = await actor.request(method as 'get', url).send(body);
        expect([method, url, res.status]).toEqual([method, url, 403]);
      }
      const invalid: [string, Record<string, unknown>, string][] = [
        [`/api/v1/documents/${id}/versions`, { fileId: 'x', expectedVersion: 0 }, '/fileId'],
        [
          `/api/v1/documents/${id}/versions/1/restore`,
          { changeNote: 'x'.repeat(1001) },
          '/changeNote',
        ],
        [`/api/v1/documents/${id}/checkin`, { fileId: 'x' }, '/fileId'],
        [`/api/v1/documents/${id}/checkout`, { minutes: 'soon' }, '/minutes'],
        [`/api/v1/documents/${id}/share-links`, { expiresAt: 'tomorrow' }, '/expiresAt'],
        [`/api/v1/folders/${folder.id}/move`, { parentId: 'x' }, '/parentId'],
      ];
      for (const [url, body, pointer] of invalid) {
        const res = await owner.post(url).send(body);
        expect([url, res.status]).toEqual([url, 422]);
        expect((res.body as Envelope).errors.map((e) => e.source?.pointer)).toContain(pointer);
      }
      expect(await versionsOf(id)).toEqual([1]);
      expect(await count('document_share_links', 'document_id = $1', [id])).toBe(0);
      const [row] = await t.dataSource.query<{ version: number }[]>(
        'SELECT version FROM documents WHERE id = $1',
        [id],
      );
      expect(row.version).toBe(1);
    });

    it('takes the organization’s default status for documents; a status in use cannot be deleted', async () => {
      const tenant = await createTenant(t);
      const status = await tenant
        .post('/api/v1/statuses')
        .send({
          code: 'in_review',
          name: 'In review',
          category: 'in_progress',
          entityType: 'document',
          isDefault: true,
        })
        .expect(201);
      const fileId = await upload(tenant);
      const doc = await tenant
        .post('/api/v1/documents')
        .send({ title: 'Reviewed', fileId })
        .expect(201);
      expect(doc.body).toMatchObject({ status: 'in_review' });
      const refused = await tenant.delete(`/api/v1/statuses/${status.body.id}`);
      expect(refused.status).toBe(409);
      expect(codeOf(refused).code).toBe('status_in_use');
      // Another organization's status code is not one of this organization's.
      const theirs = await owner
        .post('/api/v1/documents')
        .send({ title: 'X', fileId: await upload(), status: 'in_review' });
      expect(theirs.status).toBe(422);
      expect(codeOf(theirs)).toMatchObject({
        code: 'invalid_status',
        source: { pointer: '/status' },
      });
    });

    it('refuses bad input with 422 and writes nothing; 403 without permission', async () => {
      const before = await count('documents');
      const versionsBefore = await count('document_versions');
      const bad = await owner
        .post('/api/v1/documents')
        .send({ title: '  ', fileId: 'nope', tags: 'x' });
      expect(bad.status).toBe(422);
      expect((bad.body as Envelope).errors.map((e) => e.source?.pointer)).toEqual(
        expect.arrayContaining(['/title', '/fileId']),
      );
      const huge = await owner
        .post('/api/v1/documents')
        .send({ title: 'x'.repeat(201), fileId: randomUUID() });
      expect(huge.status).toBe(422);
      const unknownFile = await owner
        .post('/api/v1/documents')
        .send({ title: 'T', fileId: randomUUID() });
      expect(unknownFile.status).toBe(422);
      expect(codeOf(unknownFile)).toMatchObject({
        code: 'invalid_file',
        source: { pointer: '/fileId' },
      });
      const badCf = await owner
        .post('/api/v1/documents')
        .send({ title: 'T', fileId: await upload(), customFields: { nope: 1 } });
      expect(badCf.status).toBe(422);
      expect(codeOf(badCf).source?.pointer).toBe('/customFields/nope');
      expect(await count('documents')).toBe(before);
      expect(await count('document_versions')).toBe(versionsBefore);
      expect(
        (await viewer.post('/api/v1/documents').send({ title: 'T', fileId: await upload() }))
          .status,
      ).toBe(403);
      expect((await noRole.get('/api/v1/documents')).status).toBe(403);
      const doc = await createDoc();
      expect((await viewer.patch(`/api/v1/documents/${doc.id}`).send({ title: 'Y' })).status).toBe(
        403,
      );
      expect((await viewer.delete(`/api/v1/documents/${doc.id}`)).status).toBe(403);
      expect((await viewer.post(`/api/v1/documents/${doc.id}/checkout`).send({})).status).toBe(403);
    });

    it('never links another tenant’s file, folder, type or target; another tenant’s document is 404 on every route', async () => {
      const doc = await createDoc();
      const theirFile = await upload(other);
      const theirFolder = (await other.post('/api/v1/folders').send({ name: 'Theirs' }).expect(201))
        .body.id;
      const theirDoc = (await createDoc({}, other)).id;
      const before = await count('documents');
      const cases: [Record<string, unknown>, number][] = [
        [{ fileId: theirFile }, 422],
        [{ fileId: await upload(), folderId: theirFolder }, 422],
        [{ fileId: await upload(), target: { entityType: 'document', entityId: theirDoc } }, 404],
        [
          { fileId: await upload(), target: { entityType: 'nonsense', entityId: randomUUID() } },
          404,
        ],
      ];
      for (const [body, status] of cases) {
        const res = await owner.post('/api/v1/documents').send({ title: 'Cross', ...body });
        expect(res.status).toBe(status);
      }
      expect(await count('documents')).toBe(before);
      const routes: [string, string, Record<string, unknown>?][] = [
        ['get', `/api/v1/documents/${doc.id}`],
        ['patch', `/api/v1/documents/${doc.id}`, { title: 'Stolen' }],
        ['delete', `/api/v1/documents/${doc.id}`],
        ['get', `/api/v1/documents/${doc.id}/versions`],
        ['post', `/api/v1/documents/${doc.id}/versions`, { fileId: theirFile, expectedVersion: 1 }],
        ['post', `/api/v1/documents/${doc.id}/versions/1/restore`, {}],
        ['get', `/api/v1/documents/${doc.id}/content`],
        ['post', `/api/v1/documents/${doc.id}/checkout`, {}],
        ['post', `/api/v1/documents/${doc.id}/checkin`, {}],
        ['post', `/api/v1/documents/${doc.id}/force-unlock`, {}],
        [
          'post',
          `/api/v1/documents/${doc.id}/share-links`,
          { expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
        ],
        ['get', `/api/v1/documents/${doc.id}/share-links`],
      ];
      for (const [method, url, body] of routes) {
        const res = await other.request(method as 'get', url).send(body);
        expect([url, res.status]).toEqual([url, 404]);
      }
      const listed = await other.get('/api/v1/documents?size=100').expect(200);
      expect(listed.body.items.map((d: Doc) => d.id)).not.toContain(doc.id);
      const [row] = await t.dataSource.query<{ version: number }[]>(
        'SELECT version FROM documents WHERE id = $1',
        [doc.id],
      );
      expect(row.version).toBe(1);
    });

    it('a linked document needs read access to its target, and goes when its target is deleted', async () => {
      const contact = (
        await owner
          .post('/api/v1/contacts')
          .send({ kind: 'company', displayName: 'Acme' })
          .expect(201)
      ).body;
      const doc = await createDoc({ target: { entityType: 'contact', entityId: contact.id } });
      expect(doc.target).toEqual({ entityType: 'contact', entityId: contact.id });
      // A role with documents:read but not contacts:read.
      const role = await owner
        .post('/api/v1/roles')
        .send({ name: `Docs ${randomUUID().slice(0, 4)}`, permissions: ['documents:read'] })
        .expect(201);
      const reader = await addActor(t, owner.organization, []);
      await t.dataSource.query(
        `INSERT INTO membership_roles (membership_id, role_id)
         SELECT id, $2 FROM memberships WHERE user_id = $1 AND organization_id = $3`,
        [reader.user.id, role.body.id, owner.organization.id],
      );
      expect((await reader.get(`/api/v1/documents/${doc.id}`)).status).toBe(404);
      expect(
        ((await reader.get('/api/v1/documents?size=100').expect(200)).body.items as Doc[]).map(
          (d) => d.id,
        ),
      ).not.toContain(doc.id);
      expect((await viewer.get(`/api/v1/documents/${doc.id}`)).status).toBe(200);
      // Comments work on documents (the target registry).
      await owner
        .post('/api/v1/comments')
        .send({ entityType: 'document', entityId: doc.id, body: 'Signed?' })
        .expect(201);
      await owner.delete(`/api/v1/contacts/${contact.id}`).expect(204);
      expect((await owner.get(`/api/v1/documents/${doc.id}`)).status).toBe(404);
      expect(await count('documents', 'id = $1 AND deleted_at IS NOT NULL', [doc.id])).toBe(1);
      expect(await count('comments', 'entity_id = $1', [doc.id])).toBe(0);
      const [deleted] = await t.dataSource.query<{ data: { cascadeFrom: unknown } }[]>(
        `SELECT data FROM domain_events WHERE entity_id = $1 AND type = 'document.deleted'`,
        [doc.id],
      );
      expect(deleted.data.cascadeFrom).toEqual({ entityType: 'contact', entityId: contact.id });
    });
  });

  describe('versions', () => {
    it('adds versions under a row lock: of two uploads against one version one wins, numbers have no gaps', async () => {
      const doc = await createDoc();
      const [a, b] = [await upload(), await upload()];
      const results = await Promise.all([
        owner
          .post(`/api/v1/documents/${doc.id}/versions`)
          .set('If-Match', '"1"')
          .send({ fileId: a }),
        owner
          .post(`/api/v1/documents/${doc.id}/versions`)
          .set('If-Match', '"1"')
          .send({ fileId: b }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 412]);
      const [c, d] = [await upload(), await upload()];
      const byBody = await Promise.all([
        owner.post(`/api/v1/documents/${doc.id}/versions`).send({ fileId: c, expectedVersion: 2 }),
        owner.post(`/api/v1/documents/${doc.id}/versions`).send({ fileId: d, expectedVersion: 2 }),
      ]);
      expect(byBody.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(codeOf(byBody.find((r) => r.status === 409)!).code).toBe('version_conflict');
      expect(await versionsOf(doc.id)).toEqual([1, 2, 3]);
      const none = await owner.post(`/api/v1/documents/${doc.id}/versions`).send({ fileId: c });
      expect(none.status).toBe(422);
      expect(codeOf(none).code).toBe('version_precondition_required');
      const list = await viewer.get(`/api/v1/documents/${doc.id}/versions`).expect(200);
      expect(list.body.map((v: { number: number }) => v.number)).toEqual([3, 2, 1]);
      // Restore adds a version pointing at the old file.
      const restored = await member
        .post(`/api/v1/documents/${doc.id}/versions/1/restore`)
        .send({})
        .expect(201);
      expect(restored.body).toMatchObject({ currentVersion: 4, fileId: doc.fileId });
      expect(
        (await owner.post(`/api/v1/documents/${doc.id}/versions/99/restore`).send({})).status,
      ).toBe(404);
      expect(
        (await owner.post(`/api/v1/documents/${doc.id}/versions/x/restore`).send({})).status,
      ).toBe(404);
      expect(await versionsOf(doc.id)).toEqual([1, 2, 3, 4]);
      const events = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM domain_events WHERE entity_id = $1 AND type = 'document.version_added'`,
        [doc.id],
      );
      expect(events[0].n).toBe(3);
      // Versions are immutable for the tenant role.
      await expect(
        t.dataSource.transaction(async (m) => {
          await m.query(`SET LOCAL ROLE alees_tenant`);
          await m.query(`SELECT set_config('app.current_org', $1, true)`, [owner.organization.id]);
          await m.query(`UPDATE document_versions SET change_note = 'x' WHERE document_id = $1`, [
            doc.id,
          ]);
        }),
      ).rejects.toThrow(/permission denied/);
    });

    it('streams a version’s content; 404 for an unknown version', async () => {
      const first = pdf('first');
      const doc = await createDoc({ fileId: await upload(owner, first) });
      await owner
        .post(`/api/v1/documents/${doc.id}/versions`)
        .send({ fileId: await upload(owner, pdf('second')), expectedVersion: 1 })
        .expect(201);
      const current = await viewer
        .get(`/api/v1/documents/${doc.id}/content`)
        .buffer(true)
        .expect(200);
      expect(current.headers['content-type']).toBe('application/pdf');
      expect(String(current.body)).toContain('second');
      const old = await viewer
        .get(`/api/v1/documents/${doc.id}/content?version=1`)
        .buffer(true)
        .expect(200);
      expect(Buffer.compare(old.body as Buffer, first)).toBe(0);
      expect((await viewer.get(`/api/v1/documents/${doc.id}/content?version=7`)).status).toBe(404);
      expect((await viewer.get(`/api/v1/documents/${doc.id}/content?version=x`)).status).toBe(422);
    });

    it('a file a version uses cannot be deleted (409 file_in_use, nothing deleted)', async () => {
      const doc = await createDoc();
      const res = await owner.delete(`/api/v1/files/${doc.fileId}`);
      expect(res.status).toBe(409);
      expect(codeOf(res).code).toBe('file_in_use');
      expect(await count('stored_files', 'id = $1', [doc.fileId])).toBe(1);
      // Still in use after the document is deleted: its versions are history.
      await owner.delete(`/api/v1/documents/${doc.id}`).expect(204);
      expect((await owner.delete(`/api/v1/files/${doc.fileId}`)).status).toBe(409);
      // A file no version uses still deletes.
      await owner.delete(`/api/v1/files/${await upload()}`).expect(204);
    });
  });

  describe('check-out', () => {
    it('blocks others (409 document_locked) until check-in; the holder writes; check-in may add a version', async () => {
      const doc = await createDoc({}, member);
      const out = await member
        .post(`/api/v1/documents/${doc.id}/checkout`)
        .send({ minutes: 30 })
        .expect(200);
      expect(out.body.lock).toMatchObject({ lockedBy: member.user.id });
      const blocked = [
        await owner.patch(`/api/v1/documents/${doc.id}`).send({ title: 'Mine now' }),
        await owner
          .post(`/api/v1/documents/${doc.id}/versions`)
          .send({ fileId: await upload(), expectedVersion: 1 }),
        await owner.post(`/api/v1/documents/${doc.id}/checkout`).send({}),
        await owner.delete(`/api/v1/documents/${doc.id}`),
      ];
      expect(blocked.map((r) => [r.status, codeOf(r).code])).toEqual(
        Array(4).fill([409, 'document_locked']),
      );
      expect((await owner.post(`/api/v1/documents/${doc.id}/checkin`).send({})).status).toBe(409);
      await member.patch(`/api/v1/documents/${doc.id}`).send({ title: 'Holder edits' }).expect(200);
      const checkedIn = await member
        .post(`/api/v1/documents/${doc.id}/checkin`)
        .send({ fileId: await upload(), changeNote: 'Reviewed' })
        .expect(200);
      expect(checkedIn.body).toMatchObject({ lock: null, currentVersion: 2 });
      await owner.patch(`/api/v1/documents/${doc.id}`).send({ title: 'Free again' }).expect(200);
      const types = await t.dataSource.query<{ type: string }[]>(
        `SELECT type FROM domain_events WHERE entity_id = $1 ORDER BY id`,
        [doc.id],
      );
      expect(types.map((e) => e.type)).toEqual([
        'document.created',
        'document.checked_out',
        'document.updated',
        'document.version_added',
        'document.checked_in',
        'document.updated',
      ]);
    });

    it('an expired lock blocks nobody; force-unlock needs documents:manage', async () => {
      const doc = await createDoc();
      await owner.post(`/api/v1/documents/${doc.id}/checkout`).send({}).expect(200);
      expect((await member.patch(`/api/v1/documents/${doc.id}`).send({ title: 'x' })).status).toBe(
        409,
      );
      await t.dataSource.query(
        `UPDATE documents SET lock_expires_at = now() - interval '1 second' WHERE id = $1`,
        [doc.id],
      );
      const read = await member.get(`/api/v1/documents/${doc.id}`).expect(200);
      expect(read.body.lock).toBeNull();
      await member.patch(`/api/v1/documents/${doc.id}`).send({ title: 'After expiry' }).expect(200);
      // The former holder's check-in: the lock is gone.
      expect(codeOf(await owner.post(`/api/v1/documents/${doc.id}/checkin`).send({})).code).toBe(
        'not_checked_out',
      );

      await member.post(`/api/v1/documents/${doc.id}/checkout`).send({}).expect(200);
      expect((await member.post(`/api/v1/documents/${doc.id}/force-unlock`).send({})).status).toBe(
        403,
      );
      const unlocked = await owner
        .post(`/api/v1/documents/${doc.id}/force-unlock`)
        .send({})
        .expect(200);
      expect(unlocked.body.lock).toBeNull();
      const [row] = await t.dataSource.query<{ locked_by: string | null }[]>(
        'SELECT locked_by FROM documents WHERE id = $1',
        [doc.id],
      );
      expect(row.locked_by).toBeNull();
      expect(
        (await owner.post(`/api/v1/documents/${doc.id}/checkout`).send({ minutes: 0 })).status,
      ).toBe(422);
      expect(
        (await owner.post(`/api/v1/documents/${doc.id}/checkout`).send({ minutes: 100_000 }))
          .status,
      ).toBe(422);
    });
  });

  describe('share links', () => {
    it('serves the current version without login until expiry or revocation; unknown, expired and revoked answer the same 404', async () => {
      const body = pdf('shared');
      const doc = await createDoc({ fileId: await upload(owner, body) });
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const created = await member
        .post(`/api/v1/documents/${doc.id}/share-links`)
        .send({ expiresAt })
        .expect(201);
      const { token, url, id } = created.body as { token: string; url: string; id: string };
      expect(url.endsWith(`/api/v1/shared/${token}`)).toBe(true);
      const [stored] = await t.dataSource.query<{ token_hash: string }[]>(
        'SELECT token_hash FROM document_share_links WHERE id = $1',
        [id],
      );
      expect(stored.token_hash).not.toContain(token);
      const served = await t.http.get(`/api/v1/shared/${token}`).buffer(true);
      expect(served.status).toBe(200);
      expect(Buffer.compare(served.body as Buffer, body)).toBe(0);
      const links = await viewer.get(`/api/v1/documents/${doc.id}/share-links`).expect(200);
      expect(links.body[0]).toMatchObject({ id, accessCount: 1, revokedAt: null });
      expect(JSON.stringify(links.body)).not.toContain(token);
      expect(
        await count('audit_logs', `entity_id = $1 AND action = 'shared_access'`, [doc.id]),
      ).toBe(1);

      // Expired.
      const expiring = (
        await owner.post(`/api/v1/documents/${doc.id}/share-links`).send({ expiresAt }).expect(201)
      ).body;
      await t.dataSource.query(
        `UPDATE document_share_links SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [expiring.id],
      );
      // Revoked.
      expect((await viewer.delete(`/api/v1/documents/${doc.id}/share-links/${id}`)).status).toBe(
        403,
      );
      await owner.delete(`/api/v1/documents/${doc.id}/share-links/${id}`).expect(204);
      const unknown = `${token.slice(0, 22)}${'A'.repeat(42)}`;
      const answers = await Promise.all(
        [token, expiring.token as string, unknown, 'short', 'x'.repeat(100)].map((tk) =>
          t.http.get(`/api/v1/shared/${tk}`),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
      expect(
        new Set(
          answers
            .slice(0, 3)
            .map((r) => JSON.stringify((r.body as Envelope).errors.map((e) => e.code))),
        ),
      ).toEqual(new Set([JSON.stringify(['not_found'])]));
      // Bad expiry: past or too far ahead; nothing written.
      const before = await count('document_share_links');
      for (const when of [
        new Date(Date.now() - 1000).toISOString(),
        '2099-01-01T00:00:00Z',
        'tomorrow',
      ]) {
        expect(
          (await owner.post(`/api/v1/documents/${doc.id}/share-links`).send({ expiresAt: when }))
            .status,
        ).toBe(422);
      }
      expect(await count('document_share_links')).toBe(before);
      // Another tenant cannot revoke.
      expect(
        (await other.delete(`/api/v1/documents/${doc.id}/share-links/${expiring.id}`)).status,
      ).toBe(404);
    });
  });
  describe('retries, hostile input and the other ways a file goes', () => {
    it('an Idempotency-Key replays the creation: one document, one version', async () => {
      const body = { title: 'Once only', fileId: await upload() };
      const key = randomUUID();
      const first = await owner
        .post('/api/v1/documents')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      const second = await owner
        .post('/api/v1/documents')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(
        await count('documents', 'title = $1 AND organization_id = $2', [
          'Once only',
          owner.organization.id,
        ]),
      ).toBe(1);
      expect(await versionsOf((first.body as Doc).id)).toEqual([1]);
    });

    it('refuses NUL bytes, oversized bodies and other tenants’ ids in the query', async () => {
      const before = await count('documents');
      expect(
        (await owner.post('/api/v1/documents').send({ title: 'a\u0000b', fileId: await upload() }))
          .status,
      ).toBe(422);
      const huge = await owner
        .post('/api/v1/documents')
        .send({ title: 'T', fileId: await upload(), changeNote: 'x'.repeat(2_000_000) });
      expect([413, 422]).toContain(huge.status);
      expect(await count('documents')).toBe(before);
      const theirFolder = (
        await other
          .post('/api/v1/folders')
          .send({ name: `Q ${randomUUID()}` })
          .expect(201)
      ).body.id;
      await createDoc(
        {
          folderId: (await other.post('/api/v1/folders').send({ name: `R ${randomUUID()}` })).body
            .id,
        },
        other,
      );
      const listed = await owner.get(`/api/v1/documents?folderId=${theirFolder}`).expect(200);
      expect(listed.body.items).toEqual([]);
    });

    it('deleting a tenant purges its documents, versions and files (versions go before their files)', async () => {
      const tenant = await createTenant(t);
      const fileId = await upload(tenant);
      const created = await tenant
        .post('/api/v1/documents')
        .send({ title: 'Purged', fileId })
        .expect(201);
      await tenant
        .post(`/api/v1/documents/${(created.body as Doc).id}/versions`)
        .send({ fileId: await upload(tenant), expectedVersion: 1 })
        .expect(201);
      const operator = await superuserIn(t, tenant.organization);
      await operator
        .delete(
          `/api/v1/tenants/${tenant.organization.id}?confirm=${encodeURIComponent(tenant.organization.code)}`,
        )
        .expect(204);
      for (const table of ['documents', 'document_versions', 'stored_files'])
        expect(await count(table, 'organization_id = $1', [tenant.organization.id])).toBe(0);
    });

    it('the public share route is rate limited per client', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 70 && !statuses.includes(429); i++)
        statuses.push((await t.http.get(`/api/v1/shared/${'A'.repeat(64)}`)).status);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s !== 429).every((s) => s === 404)).toBe(true);
    });
  });
  // Last: a running worker relays (and deletes) the outbox events the tests above look at.
  describe('full-text search over the extracted text (worker)', () => {
    it('finds a document by words of its current version; a new version replaces the text', async () => {
      const worker = await t.startWorker();
      const relay = worker.get(DomainEventsRelay);
      const txt = async (text: string) =>
        (
          (
            await owner
              .post('/api/v1/files')
              .attach('file', Buffer.from(text), {
                filename: 'notes.txt',
                contentType: 'text/plain',
              })
              .expect(201)
          ).body as { id: string }
        ).id;
      const doc = (
        await owner
          .post('/api/v1/documents')
          .send({ title: 'Meeting notes', fileId: await txt('The okapi ledger was reconciled.') })
          .expect(201)
      ).body as Doc;
      const found = async (q: string) =>
        ((await viewer.get(`/api/v1/documents?q=${q}`).expect(200)).body.items as Doc[]).map(
          (d) => d.id,
        );
      const textOf = async () =>
        (
          await t.dataSource.query<{ content_text: string }[]>(
            'SELECT content_text FROM documents WHERE id = $1',
            [doc.id],
          )
        )[0].content_text;
      await relay.flush();
      expect(await textOf()).toBe('The okapi ledger was reconciled.');
      expect(await found('okapi')).toEqual([doc.id]);
      await owner
        .post(`/api/v1/documents/${doc.id}/versions`)
        .send({ fileId: await txt('Now about the narwhal budget.'), expectedVersion: 1 })
        .expect(201);
      await relay.flush();
      expect(await textOf()).toBe('Now about the narwhal budget.');
      expect(await found('narwhal')).toEqual([doc.id]);
      expect(await found('okapi')).toEqual([]);
    });
  });
});
