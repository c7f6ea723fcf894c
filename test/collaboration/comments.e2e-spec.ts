import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { addActor, createTenant, type Actor } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Comment {
  id: string;
  parentId: string | null;
  authorUserId: string;
  body: string | null;
  mentionedUserIds: string[];
  fileIds: string[];
  reactions: { emoji: string; count: number; reactedByMe: boolean }[];
  status: string;
  deleted: boolean;
  editedAt: string | null;
  version: number;
  replies?: Comment[];
}
interface Page {
  items: Comment[];
  nextCursor: string | null;
}
interface Envelope {
  errors: {
    code: string;
    source?: { pointer?: string; parameter?: string };
    meta?: Record<string, unknown>;
  }[];
}

const png = () =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(500)]);
const mention = (user: Actor) => `@[${user.user.email}](user:${user.user.id})`;

describe('comments (SPEC-P3 §3)', () => {
  let t: TestApp;
  let owner: Actor; // Owner: comments:moderate
  let member: Actor; // Member: comments:create, products:read
  let viewer: Actor; // Viewer: comments:read only
  let noRole: Actor; // a member without permissions
  let other: Actor; // another tenant's Owner

  const product = async (actor = owner) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `C-${randomUUID().slice(0, 8)}`,
      name: 'Commented tea',
      type: 'goods',
      price: '1',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  };
  const post = async (actor: Actor, body: Record<string, unknown>) => {
    const res = await actor.post('/api/v1/comments').send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Comment;
  };
  const list = async (actor: Actor, entityId: string, extra = '') =>
    (
      await actor
        .get(`/api/v1/comments?entityType=product&entityId=${entityId}${extra}`)
        .expect(200)
    ).body as Page;
  const countOn = async (entityId: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM comments WHERE entity_id = $1',
        [entityId],
      )
    )[0].n;
  const codeOf = (res: { body: unknown }) => (res.body as Envelope).errors[0];

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    noRole = await addActor(t, owner.organization, []);
    other = await createTenant(t);
  });
  afterAll(async () => t.close());

  it('posts a comment with a mention and a file, audits it, and lists it to readers', async () => {
    const target = await product();
    const file = (await owner.post('/api/v1/files').attach('file', png(), 'a.png').expect(201))
      .body as { id: string };
    const body = `Please check, ${mention(member)} — **raw** <b>markdown</b>`;
    const res = await owner
      .post('/api/v1/comments')
      .send({ entityType: 'product', entityId: target, body, fileIds: [file.id] })
      .expect(201);
    const created = res.body as Comment;
    expect(created).toMatchObject({
      parentId: null,
      authorUserId: owner.user.id,
      body,
      mentionedUserIds: [member.user.id],
      fileIds: [file.id],
      reactions: [],
      status: 'visible',
      deleted: false,
      editedAt: null,
      version: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/comments/${created.id}`);
    const [row] = await t.dataSource.query<{ body: string; organization_id: string }[]>(
      'SELECT body, organization_id FROM comments WHERE id = $1',
      [created.id],
    );
    expect(row).toEqual({ body, organization_id: owner.organization.id });
    const audits = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'comment' AND entity_id = $1`,
      [created.id],
    );
    expect(audits).toEqual([{ action: 'create' }]);

    for (const reader of [member, viewer]) {
      const page = await list(reader, target);
      expect(page.items.map((c) => [c.id, c.body, c.replies])).toEqual([[created.id, body, []]]);
      expect(page.nextCursor).toBeNull();
    }
  });

  it('answers a new comment from the inserted row in ≤ 8 PostgreSQL round trips (issue 17: < 50 ms)', async () => {
    const target = await product();
    await post(owner, { entityType: 'product', entityId: target, body: 'warm' });
    const spy = jest.spyOn(Client.prototype, 'query');
    let created: Comment;
    try {
      spy.mockClear();
      created = await post(owner, { entityType: 'product', entityId: target, body: 'Fast one' });
      // BEGIN + RLS settings, the target check, the insert, the audit chain (lock, last link,
      // row), the domain event, COMMIT; no attachment delete and no reload of a fresh comment.
      expect(spy.mock.calls.length).toBeLessThanOrEqual(8);
    } finally {
      spy.mockRestore();
    }
    const [listed] = (await list(owner, target)).items;
    expect(created).toEqual({ ...listed, replies: undefined });
  });

  it('refuses bad input with 422 and writes nothing', async () => {
    const target = await product();
    const otherTarget = await product();
    const elsewhere = await post(owner, {
      entityType: 'product',
      entityId: otherTarget,
      body: 'x',
    });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ body: '' }, 'validation_error', '/body'],
      [{ body: ' \n\t ' }, 'validation_error', '/body'],
      [{ body: '\u200b\u200d\ufeff' }, 'validation_error', '/body'],
      [{ body: 'x'.repeat(10_001) }, 'validation_error', '/body'],
      [
        { body: 'x', fileIds: Array.from({ length: 11 }, () => randomUUID()) },
        'validation_error',
        '/fileIds',
      ],
      [{ body: 'x', parentId: elsewhere.id }, 'invalid_parent', '/parentId'],
      [{ body: 'x', parentId: randomUUID() }, 'invalid_parent', '/parentId'],
      [{ body: `hi ${mention(noRole)}` }, 'invalid_mention', '/body'],
      [{ body: `hi ${mention(other)}` }, 'invalid_mention', '/body'],
      [{ body: `hi @[ghost](user:${randomUUID()})` }, 'invalid_mention', '/body'],
      [{ body: 'x', fileIds: [randomUUID()] }, 'invalid_attachment', '/fileIds'],
    ];
    for (const [extra, code, pointer] of cases) {
      const res = await owner
        .post('/api/v1/comments')
        .send({ entityType: 'product', entityId: target, ...extra });
      expect({
        status: res.status,
        code: codeOf(res).code,
        pointer: codeOf(res).source?.pointer,
      }).toEqual({
        status: 422,
        code,
        pointer,
      });
    }
    const nonReader = await owner
      .post('/api/v1/comments')
      .send({ entityType: 'product', entityId: target, body: `hi ${mention(noRole)}` });
    expect(codeOf(nonReader).meta).toEqual({ userId: noRole.user.id });
    // Another tenant's file is not a file of this organization.
    const foreignFile = (
      await other.post('/api/v1/files').attach('file', png(), 'b.png').expect(201)
    ).body as { id: string };
    const foreign = await owner
      .post('/api/v1/comments')
      .send({ entityType: 'product', entityId: target, body: 'x', fileIds: [foreignFile.id] });
    expect(codeOf(foreign).code).toBe('invalid_attachment');
    expect(await countOn(target)).toBe(0);
  });

  it('stores look-alike Unicode raw, parses no fake mention, and takes 10,000 code points', async () => {
    const target = await product();
    // Cyrillic "а" in "user", full-width brackets: not the mention syntax, so no mention.
    const lookAlike = `@[x](usеr:${member.user.id}) ［x］(user:${member.user.id}) Ꭺdmin`;
    const created = await post(member, {
      entityType: 'product',
      entityId: target,
      body: lookAlike,
    });
    expect(created).toMatchObject({ body: lookAlike, mentionedUserIds: [] });
    const emojis = '😀'.repeat(10_000);
    const big = await post(member, { entityType: 'product', entityId: target, body: emojis });
    expect(big.body).toBe(emojis);
    const tooBig = await member
      .post('/api/v1/comments')
      .send({ entityType: 'product', entityId: target, body: `${emojis}!` });
    expect(tooBig.status).toBe(422);
    expect(await countOn(target)).toBe(2);
  });

  it('answers 403 without the permission, and writes nothing', async () => {
    const target = await product();
    const res = await viewer
      .post('/api/v1/comments')
      .send({ entityType: 'product', entityId: target, body: 'viewer' });
    expect(res.status).toBe(403);
    expect(
      (await noRole.get(`/api/v1/comments?entityType=product&entityId=${target}`)).status,
    ).toBe(403);
    expect(await countOn(target)).toBe(0);
  });

  it("answers 404 for another tenant's target or comment, and for an unknown entity type", async () => {
    const target = await product();
    const comment = await post(owner, { entityType: 'product', entityId: target, body: 'mine' });
    const url = `/api/v1/comments/${comment.id}`;
    const attempts = [
      other.get(`/api/v1/comments?entityType=product&entityId=${target}`),
      other.post('/api/v1/comments').send({ entityType: 'product', entityId: target, body: 'x' }),
      other.patch(url).send({ body: 'stolen' }),
      other.delete(url),
      other.post(`${url}/hide`),
      other.post(`${url}/unhide`),
      other.put(`${url}/reactions/${encodeURIComponent('👍')}`),
      other.delete(`${url}/reactions/${encodeURIComponent('👍')}`),
      owner.get(`/api/v1/comments?entityType=invoice&entityId=${target}`),
      owner.post('/api/v1/comments').send({ entityType: 'invoice', entityId: target, body: 'x' }),
      owner.get(`/api/v1/comments?entityType=product&entityId=${randomUUID()}`),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect({ status: res.status, code: codeOf(res).code }).toEqual({
        status: 404,
        code: 'not_found',
      });
    }
    // Nothing of the other tenant changed, and B's own list of its product holds no A comment.
    const [row] = await t.dataSource.query<{ body: string; status: string; version: number }[]>(
      'SELECT body, status, version FROM comments WHERE id = $1',
      [comment.id],
    );
    expect(row).toEqual({ body: 'mine', status: 'visible', version: 1 });
    expect(await countOn(target)).toBe(1);
    const theirs = await product(other);
    expect((await list(other, theirs)).items).toEqual([]);
  });

  it('answers a reply racing the deletion of its parent with 201 or 422, never a conflict', async () => {
    const target = await product();
    for (let i = 0; i < 5; i++) {
      const root = await post(owner, { entityType: 'product', entityId: target, body: 'root' });
      const [deleted, reply] = await Promise.all([
        owner.delete(`/api/v1/comments/${root.id}`),
        member
          .post('/api/v1/comments')
          .send({ entityType: 'product', entityId: target, body: 'reply', parentId: root.id }),
      ]);
      expect(deleted.status).toBe(204);
      if (reply.status === 201) {
        // The reply won: the root stays as a tombstone holding it.
        const [row] = await t.dataSource.query<{ deleted: boolean }[]>(
          'SELECT deleted_at IS NOT NULL AS deleted FROM comments WHERE id = $1',
          [root.id],
        );
        expect(row).toEqual({ deleted: true });
      } else {
        expect({ status: reply.status, code: codeOf(reply).code }).toEqual({
          status: 422,
          code: 'invalid_parent',
        });
      }
    }
  });

  it('does not treat a mention quoted as code as a mention', async () => {
    const target = await product();
    const body = `To mention, write:\n\n\`\`\`\n${mention(other)}\n\`\`\`\n\nor \`${mention(noRole)}\`, ${mention(member)}`;
    const created = await post(owner, { entityType: 'product', entityId: target, body });
    expect(created).toMatchObject({ body, mentionedUserIds: [member.user.id] });
    const [row] = await t.dataSource.query<{ mentioned_user_ids: string[] }[]>(
      'SELECT mentioned_user_ids FROM comments WHERE id = $1',
      [created.id],
    );
    expect(row.mentioned_user_ids).toEqual([member.user.id]);
  });

  it('lets only the author edit (If-Match honoured), re-parsing mentions and marking it edited', async () => {
    const target = await product();
    const comment = await post(member, { entityType: 'product', entityId: target, body: 'draft' });
    const url = `/api/v1/comments/${comment.id}`;
    const notAuthor = await owner.patch(url).send({ body: 'moderator rewrite' });
    expect({ status: notAuthor.status, code: codeOf(notAuthor).code }).toEqual({
      status: 403,
      code: 'not_author',
    });
    expect((await member.patch(url).set('If-Match', '"9"').send({ body: 'x' })).status).toBe(412);
    expect((await member.patch(url).send({ body: '\u200b ' })).status).toBe(422);
    const badMention = await member.patch(url).send({ body: `hey ${mention(noRole)}` });
    expect(codeOf(badMention).code).toBe('invalid_mention');
    const edited = await member
      .patch(url)
      .set('If-Match', '"1"')
      .send({ body: `final ${mention(viewer)}` })
      .expect(200);
    expect(edited.body).toMatchObject({
      body: `final ${mention(viewer)}`,
      mentionedUserIds: [viewer.user.id],
      version: 2,
    });
    expect((edited.body as Comment).editedAt).not.toBeNull();
    expect(edited.headers.etag).toBe('"2"');
    // The same body again changes nothing.
    const same = await member
      .patch(url)
      .send({ body: `final ${mention(viewer)}` })
      .expect(200);
    expect((same.body as Comment).version).toBe(2);
  });

  it('threads one level deep, pages roots newest first, and tombstones a comment with replies', async () => {
    const target = await product();
    const first = await post(owner, { entityType: 'product', entityId: target, body: 'first' });
    const reply = await post(member, {
      entityType: 'product',
      entityId: target,
      body: 'reply',
      parentId: first.id,
    });
    const nested = await post(owner, {
      entityType: 'product',
      entityId: target,
      body: 'reply to reply',
      parentId: reply.id,
    });
    expect(nested.parentId).toBe(first.id);
    const second = await post(owner, { entityType: 'product', entityId: target, body: 'second' });
    const third = await post(owner, { entityType: 'product', entityId: target, body: 'third' });

    const page1 = await list(member, target, '&limit=2');
    expect(page1.items.map((c) => c.id)).toEqual([third.id, second.id]);
    const page2 = await list(member, target, `&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((c) => c.id)).toEqual([first.id]);
    expect(page2.items[0].replies!.map((r) => r.id)).toEqual([reply.id, nested.id]);
    expect(page2.nextCursor).toBeNull();

    // A member cannot delete the owner's comment; the owner (moderator) can delete the member's.
    const forbidden = await member.delete(`/api/v1/comments/${first.id}`);
    expect({ status: forbidden.status, code: codeOf(forbidden).code }).toEqual({
      status: 403,
      code: 'not_author_or_moderator',
    });
    await owner.delete(`/api/v1/comments/${first.id}`).expect(204);
    const tomb = (await list(member, target)).items.find((c) => c.id === first.id)!;
    expect(tomb).toMatchObject({ deleted: true, body: null, mentionedUserIds: [], fileIds: [] });
    expect(tomb.replies!.map((r) => r.id)).toEqual([reply.id, nested.id]);
    expect((await member.patch(`/api/v1/comments/${first.id}`).send({ body: 'x' })).status).toBe(
      403,
    );
    expect((await owner.patch(`/api/v1/comments/${first.id}`).send({ body: 'x' })).status).toBe(
      409,
    );

    await owner.delete(`/api/v1/comments/${reply.id}`).expect(204);
    await owner.delete(`/api/v1/comments/${nested.id}`).expect(204);
    // The last reply gone, the tombstone goes too; a comment without replies is deleted outright.
    await owner.delete(`/api/v1/comments/${third.id}`).expect(204);
    const ids = await t.dataSource.query<{ id: string }[]>(
      'SELECT id FROM comments WHERE entity_id = $1',
      [target],
    );
    expect(ids).toEqual([{ id: second.id }]);
  });

  it('lets moderators hide and show comments; hidden ones are invisible to others', async () => {
    const target = await product();
    const comment = await post(member, { entityType: 'product', entityId: target, body: 'rude' });
    const url = `/api/v1/comments/${comment.id}`;
    expect((await member.post(`${url}/hide`)).status).toBe(403);
    const hidden = await owner.post(`${url}/hide`).expect(200);
    expect(hidden.body).toMatchObject({ status: 'hidden', version: 2 });
    expect((await list(member, target)).items).toEqual([]);
    expect((await list(owner, target)).items.map((c) => c.status)).toEqual(['hidden']);
    expect((await member.patch(url).send({ body: 'sorry' })).status).toBe(404);
    // Hiding again changes nothing.
    expect(((await owner.post(`${url}/hide`).expect(200)).body as Comment).version).toBe(2);
    await owner.post(`${url}/unhide`).expect(200);
    expect((await list(member, target)).items.map((c) => c.status)).toEqual(['visible']);
    const actions = await t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = 'comment' AND entity_id = $1 ORDER BY created_at, id`,
      [comment.id],
    );
    expect(actions.map((a) => a.action)).toEqual(['create', 'hide', 'unhide']);
  });

  it('hides a hidden root’s whole thread: its visible replies cannot be reached through either', async () => {
    const target = await product();
    const root = await post(owner, { entityType: 'product', entityId: target, body: 'root' });
    const reply = await post(owner, {
      entityType: 'product',
      entityId: target,
      body: 'reply in a hidden thread',
      parentId: root.id,
    });
    await owner.post(`/api/v1/comments/${root.id}/hide`).expect(200);
    const sneak = await member.post('/api/v1/comments').send({
      entityType: 'product',
      entityId: target,
      body: 'sneaking in',
      parentId: reply.id,
    });
    expect(sneak.status).toBe(422);
    expect(codeOf(sneak).code).toBe('invalid_parent');
    expect((await member.put(`/api/v1/comments/${reply.id}/reactions/%F0%9F%91%8D`)).status).toBe(
      404,
    );
    expect((await member.delete(`/api/v1/comments/${reply.id}`)).status).toBe(404);
    expect(await countOn(target)).toBe(2);
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM comment_reactions WHERE comment_id = $1',
      [reply.id],
    );
    expect(n).toBe(0);
    const timeline = await member.get(`/api/v1/timeline/product/${target}`).expect(200);
    expect(JSON.stringify(timeline.body)).not.toContain(reply.id);
    // A moderator still reaches the thread.
    await owner.put(`/api/v1/comments/${reply.id}/reactions/%F0%9F%91%8D`).expect(204);
  });

  it('keeps reactions idempotent and refuses what is not an emoji', async () => {
    const target = await product();
    const comment = await post(owner, { entityType: 'product', entityId: target, body: 'react' });
    const url = (emoji: string) =>
      `/api/v1/comments/${comment.id}/reactions/${encodeURIComponent(emoji)}`;
    await member.put(url('👍')).expect(204);
    await member.put(url('👍')).expect(204);
    await owner.put(url('👍')).expect(204);
    await owner.put(url('🎉')).expect(204);
    const rows = await t.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM comment_reactions WHERE comment_id = $1',
      [comment.id],
    );
    expect(rows[0].n).toBe(3);
    const seen = (await list(member, target)).items[0].reactions;
    expect(seen).toEqual([
      { emoji: '👍', count: 2, reactedByMe: true },
      { emoji: '🎉', count: 1, reactedByMe: false },
    ]);
    for (const bad of ['a', ':+1:', 'ǃ']) {
      const res = await member.put(url(bad));
      expect({
        status: res.status,
        code: codeOf(res).code,
        parameter: codeOf(res).source?.parameter,
      }).toEqual({
        status: 422,
        code: 'invalid_emoji',
        parameter: 'emoji',
      });
    }
    expect((await viewer.put(url('👍'))).status).toBe(403);
    await member.delete(url('👍')).expect(204);
    await member.delete(url('👍')).expect(204);
    expect((await list(member, target)).items[0].reactions).toEqual([
      { emoji: '👍', count: 1, reactedByMe: false },
      { emoji: '🎉', count: 1, reactedByMe: false },
    ]);
  });

  it('deletes the comments of a target with the target', async () => {
    const target = await product();
    const root = await post(owner, { entityType: 'product', entityId: target, body: 'bye' });
    await post(member, { entityType: 'product', entityId: target, body: 'r', parentId: root.id });
    await member
      .put(`/api/v1/comments/${root.id}/reactions/${encodeURIComponent('👍')}`)
      .expect(204);
    await owner.delete(`/api/v1/products/${target}`).expect(204);
    expect(await countOn(target)).toBe(0);
    const reactions = await t.dataSource.query<unknown[]>(
      'SELECT 1 FROM comment_reactions WHERE comment_id = $1',
      [root.id],
    );
    expect(reactions).toEqual([]);
  });

  it('a comment racing the deletion of its record never outlives it (the target is share-locked)', async () => {
    for (let round = 0; round < 6; round += 1) {
      const id = await product();
      const [deleted, commented] = await Promise.all([
        owner.delete(`/api/v1/products/${id}`).set('If-Match', '"1"'),
        member.post('/api/v1/comments').send({ entityType: 'product', entityId: id, body: 'Race' }),
      ]);
      expect(deleted.status).toBe(204);
      // Either the comment landed first (and went with the product) or it found no product.
      expect([201, 404]).toContain(commented.status);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM comments WHERE entity_type = 'product' AND entity_id = $1`,
        [id],
      );
      expect(n).toBe(0);
    }
  });
});
