import type { INestApplicationContext } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { io, Socket } from 'socket.io-client';
import { v7 as uuidv7 } from 'uuid';
import { Clock } from '../../src/core/clock';
import { TenantDatabase } from '../../src/core/tenancy';
import {
  NotificationMailSweeper,
  NotificationsEventConsumer,
  NotificationsService,
  NotifyRequest,
} from '../../src/modules/notifications';
import { Actor, addActor, createTenant } from '../support/auth';
import { queuedMail } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
interface Notification {
  id: string;
  type: string;
  title: string;
  readAt: string | null;
}

/** The next `event` on `socket`, or a failure after `ms`. */
function next<T>(socket: Socket, event: string, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

describe('notifications and followers', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let owner: Actor;
  let member: Actor;
  let viewer: Actor;
  let other: Actor;

  /** Sends through the one sender, in a tenant transaction, then runs the after-commit pushes. */
  const notify = async (request: Partial<NotifyRequest> & { recipientUserIds: string[] }) => {
    const orgId = request.organizationId ?? owner.organization.id;
    const result = await t.app.get(TenantDatabase).run(orgId, (manager) =>
      t.app.get(NotificationsService).notify(manager, {
        organizationId: orgId,
        type: 'broadcast',
        actorUserId: null,
        title: 'Hello',
        ...request,
      }),
    );
    result.afterCommit();
    return result.created;
  };
  /** The stored unread rows of `actor`, counted (what the maintained counter must equal). */
  const countUnread = async (actor: Actor) => {
    const [row] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM notifications
        WHERE organization_id = $1 AND recipient_user_id = $2 AND read_at IS NULL AND archived_at IS NULL`,
      [actor.organization.id, actor.user.id],
    );
    return row.n;
  };
  const unreadCount = async (actor: Actor) => {
    const res = await actor.get('/api/v1/notifications/unread-count');
    expect(res.status).toBe(200);
    const counted = await countUnread(actor);
    expect((res.body as { unread: number }).unread).toBe(counted);
    return counted;
  };
  const rows = async (table: string, orgId: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM ${table} WHERE organization_id = $1`,
        [orgId],
      )
    )[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    worker = await t.startWorker();
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    other = await createTenant(t);
  });
  afterEach(() => {
    worker.get(Clock).reset();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('inbox routes', () => {
    it('lists own notifications newest first, cursor paged, with ?unread', async () => {
      for (const title of ['one', 'two', 'three']) {
        await notify({ recipientUserIds: [member.user.id], title });
      }
      const first = await member.get('/api/v1/notifications?size=2');
      expect(first.status).toBe(200);
      const page = first.body as { items: Notification[]; nextCursor?: string };
      expect(page.items.map((n) => n.title)).toEqual(['three', 'two']);
      const second = await member.get(`/api/v1/notifications?size=2&cursor=${page.nextCursor}`);
      expect((second.body as { items: Notification[] }).items.map((n) => n.title)).toContain('one');
      // Nobody else sees them.
      const owners = await owner.get('/api/v1/notifications');
      expect((owners.body as { items: Notification[] }).items).toEqual([]);
      const bad = await member.get('/api/v1/notifications?unread=maybe');
      expect(bad.status).toBe(422);
    });

    it('keeps the unread count exact across notify, read, unread, archive and read-all', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      expect(await unreadCount(user)).toBe(0);
      await notify({ recipientUserIds: [user.user.id, owner.user.id], title: 'a' });
      await notify({ recipientUserIds: [user.user.id], title: 'b' });
      await notify({ recipientUserIds: [user.user.id], title: 'c' });
      expect(await unreadCount(user)).toBe(3);
      const list = (await user.get('/api/v1/notifications')).body as { items: Notification[] };
      const [c, b, a] = list.items;
      const read = await user.post(`/api/v1/notifications/${c.id}/read`);
      expect(read.status).toBe(200);
      expect((read.body as Notification).readAt).not.toBeNull();
      // Reading twice moves nothing.
      await user.post(`/api/v1/notifications/${c.id}/read`);
      expect(await unreadCount(user)).toBe(2);
      await user.post(`/api/v1/notifications/${c.id}/unread`);
      expect(await unreadCount(user)).toBe(3);
      expect((await user.delete(`/api/v1/notifications/${b.id}`)).status).toBe(204);
      expect(await unreadCount(user)).toBe(2);
      const unreadList = await user.get('/api/v1/notifications?unread=true');
      expect((unreadList.body as { total: number }).total).toBe(2);
      const all = await user.post('/api/v1/notifications/read-all').send({});
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ marked: 2, unread: 0 });
      expect(await unreadCount(user)).toBe(0);
      expect((await user.post(`/api/v1/notifications/${a.id}/unread`)).status).toBe(200);
      expect(await unreadCount(user)).toBe(1);
    });

    it('takes list totals from the maintained counters, exact across notify, read and archive', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      const counted = async (where: string) =>
        (
          await t.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM notifications
              WHERE organization_id = $1 AND recipient_user_id = $2 AND archived_at IS NULL ${where}`,
            [owner.organization.id, user.user.id],
          )
        )[0].n;
      const totals = async () => {
        const total = async (query: string) =>
          ((await user.get(`/api/v1/notifications${query}`)).body as { total: number }).total;
        const listed = { all: await total(''), unread: await total('?unread=true') };
        const read = await total('?unread=false');
        expect(listed).toEqual({
          all: await counted(''),
          unread: await counted('AND read_at IS NULL'),
        });
        expect(read).toBe(await counted('AND read_at IS NOT NULL'));
        return { ...listed, read };
      };
      expect(await totals()).toEqual({ all: 0, unread: 0, read: 0 });
      for (const title of ['a', 'b', 'c', 'd']) {
        await notify({ recipientUserIds: [user.user.id], title });
      }
      const [d, c, b] = (
        (await user.get('/api/v1/notifications')).body as { items: Notification[] }
      ).items;
      await user.post(`/api/v1/notifications/${d.id}/read`);
      await user.post(`/api/v1/notifications/${c.id}/read`);
      expect(await totals()).toEqual({ all: 4, unread: 2, read: 2 });
      // Archiving a read one and an unread one: both leave the list's total.
      expect((await user.delete(`/api/v1/notifications/${d.id}`)).status).toBe(204);
      expect((await user.delete(`/api/v1/notifications/${b.id}`)).status).toBe(204);
      expect(await totals()).toEqual({ all: 2, unread: 1, read: 1 });
      await user.post('/api/v1/notifications/read-all').send({});
      expect(await totals()).toEqual({ all: 2, unread: 0, read: 2 });
      // The total is the counter row, not a count of rows (O(1) whatever the inbox size).
      const key = [owner.organization.id, user.user.id];
      await t.dataSource.query(
        'UPDATE notification_counters SET live = live + 100 WHERE organization_id = $1 AND user_id = $2',
        key,
      );
      const listed = await user.get('/api/v1/notifications?size=1');
      expect((listed.body as { total: number }).total).toBe(102);
      await t.dataSource.query(
        'UPDATE notification_counters SET live = live - 100 WHERE organization_id = $1 AND user_id = $2',
        key,
      );
    });

    it('read-all honours before and refuses a bad one (422, nothing changed)', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      await notify({ recipientUserIds: [user.user.id], title: 'old' });
      const bad = await user.post('/api/v1/notifications/read-all').send({ before: 'yesterday' });
      expect(bad.status).toBe(422);
      expect((bad.body as Envelope).errors[0].source?.pointer).toBe('/before');
      expect(await unreadCount(user)).toBe(1);
      const early = await user
        .post('/api/v1/notifications/read-all')
        .send({ before: '2000-01-01T00:00:00.000Z' });
      expect(early.body).toEqual({ marked: 0, unread: 1 });
    });

    it("answers 404 for another person's or another tenant's notification", async () => {
      await notify({ recipientUserIds: [member.user.id], title: 'mine' });
      const [mine] = ((await member.get('/api/v1/notifications')).body as { items: Notification[] })
        .items;
      for (const actor of [owner, other]) {
        expect((await actor.post(`/api/v1/notifications/${mine.id}/read`)).status).toBe(404);
        expect((await actor.post(`/api/v1/notifications/${mine.id}/unread`)).status).toBe(404);
        expect((await actor.delete(`/api/v1/notifications/${mine.id}`)).status).toBe(404);
      }
      const [row] = await t.dataSource.query<{ read_at: Date | null; archived_at: Date | null }[]>(
        'SELECT read_at, archived_at FROM notifications WHERE id = $1',
        [mine.id],
      );
      expect(row).toEqual({ read_at: null, archived_at: null });
      expect((await member.post(`/api/v1/notifications/${uuidv7()}/read`)).status).toBe(404);
    });

    it('notify writes to active members only, never the actor, once per dedupe key', async () => {
      const created = await notify({
        recipientUserIds: [member.user.id, owner.user.id, other.user.id, uuidv7()],
        actorUserId: owner.user.id,
        dedupeKey: 'k-1',
        title: 'deduped',
      });
      expect(created).toBe(1);
      expect(
        await notify({ recipientUserIds: [member.user.id], dedupeKey: 'k-1', title: 'deduped' }),
      ).toBe(0);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM notifications WHERE dedupe_key = 'k-1'`,
      );
      expect(n).toBe(1);
      await unreadCount(member);
    });
  });

  describe('preferences', () => {
    it('stores preferences, refuses muting security notices (422, nothing written)', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      const put = await user.put('/api/v1/me/notification-preferences').send({
        preferences: [
          { type: 'comment.new', channel: 'email', enabled: true, emailMode: 'digest_daily' },
          { type: '*', channel: 'realtime', enabled: false },
        ],
      });
      expect(put.status).toBe(200);
      expect((put.body as { preferences: unknown[] }).preferences).toHaveLength(2);
      const refused = await user.put('/api/v1/me/notification-preferences').send({
        preferences: [{ type: 'security.notice', channel: 'email', enabled: false }],
      });
      expect(refused.status).toBe(422);
      expect((refused.body as Envelope).errors[0]).toMatchObject({
        code: 'notification_type_not_mutable',
        source: { pointer: '/preferences/0/type' },
      });
      const invalid = await user.put('/api/v1/me/notification-preferences').send({
        preferences: [{ type: 'nope', channel: 'pigeon', enabled: 'yes' }],
      });
      expect(invalid.status).toBe(422);
      const stored = await t.dataSource.query<{ type: string }[]>(
        'SELECT type FROM notification_preferences WHERE user_id = $1 ORDER BY type',
        [user.user.id],
      );
      expect(stored.map((r) => r.type)).toEqual(['*', 'comment.new']);
      const got = await user.get('/api/v1/me/notification-preferences');
      expect(got.status).toBe(200);
    });

    it('an e-mail preference "off" records the delivery skipped and sends nothing', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      await user.put('/api/v1/me/notification-preferences').send({
        preferences: [{ type: 'broadcast', channel: 'email', enabled: true, emailMode: 'off' }],
      });
      await notify({ recipientUserIds: [user.user.id], title: 'quiet' });
      const deliveries = await t.dataSource.query<{ status: string }[]>(
        'SELECT status FROM notification_deliveries WHERE recipient_user_id = $1',
        [user.user.id],
      );
      expect(deliveries).toEqual([{ status: 'skipped' }]);
      worker.get(Clock).advance(10 * 60_000);
      await worker.get(NotificationMailSweeper).flush();
      expect(await queuedMail(t, user.user.email)).toEqual([]);
    });
  });

  describe('e-mail', () => {
    it('coalesces notifications on one record within 5 minutes into one e-mail', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      const target = { entityType: 'category', entityId: uuidv7() };
      for (const title of ['first', 'second', 'third']) {
        await notify({ recipientUserIds: [user.user.id], title, target, type: 'comment.new' });
      }
      const sweeper = worker.get(NotificationMailSweeper);
      await sweeper.flush();
      expect(await queuedMail(t, user.user.email)).toEqual([]); // the window is still open
      worker.get(Clock).advance(5 * 60_000 + 1_000);
      await sweeper.flush();
      await sweeper.flush(); // idempotent
      const mails = await queuedMail(t, user.user.email);
      expect(mails).toHaveLength(1);
      expect(mails[0].template).toBe('notification');
      const items = (mails[0].data as { items: { title: string }[] }).items;
      expect(items.map((i) => i.title)).toEqual(['first', 'second', 'third']);
      const statuses = await t.dataSource.query<{ status: string }[]>(
        'SELECT DISTINCT status FROM notification_deliveries WHERE recipient_user_id = $1',
        [user.user.id],
      );
      expect(statuses).toEqual([{ status: 'sent' }]);
    });

    it('digest_daily makes one e-mail the next day with the items of the day', async () => {
      const user = await addActor(t, owner.organization, ['Member']);
      await user.put('/api/v1/me/notification-preferences').send({
        preferences: [{ type: '*', channel: 'email', enabled: true, emailMode: 'digest_daily' }],
      });
      await notify({
        recipientUserIds: [user.user.id],
        title: 'on a',
        target: { entityType: 'category', entityId: uuidv7() },
      });
      await notify({
        recipientUserIds: [user.user.id],
        title: 'on b',
        target: { entityType: 'category', entityId: uuidv7() },
      });
      const sweeper = worker.get(NotificationMailSweeper);
      worker.get(Clock).advance(6 * 60_000);
      await sweeper.flush();
      expect(await queuedMail(t, user.user.email)).toEqual([]); // same day: no digest yet
      worker.get(Clock).advance(24 * 60 * 60_000);
      await sweeper.flush();
      const mails = await queuedMail(t, user.user.email);
      expect(mails).toHaveLength(1);
      expect(mails[0].template).toBe('notification-digest');
      const data = mails[0].data as { items: { title: string }[]; count: number };
      expect(data.count).toBe(2);
      expect(data.items.map((i) => i.title).sort()).toEqual(['on a', 'on b']);
    });
  });

  describe('broadcast', () => {
    it('reaches every active member but the sender; 422 writes nothing; 403 for members', async () => {
      const orgId = owner.organization.id;
      const before = await rows('notifications', orgId);
      const bad = await owner.post('/api/v1/notifications/broadcast').send({ title: '' });
      expect(bad.status).toBe(422);
      const badRole = await owner
        .post('/api/v1/notifications/broadcast')
        .send({ title: 'x', roleId: uuidv7() });
      expect(badRole.status).toBe(422);
      expect((badRole.body as Envelope).errors[0].code).toBe('invalid_role');
      const denied = await member.post('/api/v1/notifications/broadcast').send({ title: 'x' });
      expect(denied.status).toBe(403);
      expect(await rows('notifications', orgId)).toBe(before);

      const ok = await owner
        .post('/api/v1/notifications/broadcast')
        .send({ title: 'Inventory on Friday', body: 'Bring gloves' });
      expect(ok.status).toBe(200);
      const [{ n: members }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM memberships WHERE organization_id = $1',
        [orgId],
      );
      expect(ok.body).toEqual({ created: members - 1 });
      const viewers = (await viewer.get('/api/v1/notifications')).body as {
        items: Notification[];
      };
      expect(viewers.items[0].title).toBe('Inventory on Friday');
      const others = (await other.get('/api/v1/notifications')).body as { items: Notification[] };
      expect(others.items).toEqual([]);
    });
  });

  describe('realtime', () => {
    it("pushes to the recipient's sockets only", async () => {
      await t.app.listen(0, '127.0.0.1');
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/realtime`;
      const connect = async (actor: Actor) => {
        const socket = io(url, {
          auth: { token: actor.tokens.accessToken, organizationId: actor.organization.id },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return socket;
      };
      const [mine, theirs, foreign] = await Promise.all([
        connect(member),
        connect(viewer),
        connect(other),
      ]);
      try {
        const seen: unknown[] = [];
        theirs.on('notification', (p) => seen.push(p));
        foreign.on('notification', (p) => seen.push(p));
        const pushed = next<Notification>(mine, 'notification');
        const count = next<{ unread: number }>(mine, 'notifications.unread_count');
        await notify({ recipientUserIds: [member.user.id], title: 'live' });
        expect((await pushed).title).toBe('live');
        expect((await count).unread).toBe(await countUnread(member));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(seen).toEqual([]);
      } finally {
        for (const socket of [mine, theirs, foreign]) socket.close();
      }
    });
  });

  describe('followers', () => {
    let categoryId: string;
    beforeAll(async () => {
      const res = await owner
        .post('/api/v1/categories')
        .send({ type: 'product', name: `Followed ${uuidv7()}` });
      expect(res.status).toBe(201);
      categoryId = (res.body as { id: string }).id;
    });
    const url = () => `/api/v1/followers/category/${categoryId}`;

    it('follows, lists and unfollows a readable record', async () => {
      const follow = await member.put(`${url()}/me`);
      expect(follow.status).toBe(200);
      expect(follow.body).toMatchObject({ userId: member.user.id, reason: 'manual' });
      expect((await member.put(`${url()}/me`)).status).toBe(200); // idempotent
      const list = await viewer.get(url());
      expect(list.status).toBe(200);
      expect((list.body as { userId: string }[]).map((f) => f.userId)).toEqual([member.user.id]);
      expect((await member.delete(`${url()}/me`)).status).toBe(204);
      expect(await rows('followers', owner.organization.id)).toBe(0);
    });

    it('adds a colleague with update permission; 403/404/422 write nothing', async () => {
      const denied = await member.post(url()).send({ userId: viewer.user.id }); // Member: no categories:manage
      expect(denied.status).toBe(404);
      const bad = await owner.post(url()).send({ userId: 'nope' });
      expect(bad.status).toBe(422);
      const stranger = await owner.post(url()).send({ userId: other.user.id });
      expect(stranger.status).toBe(422);
      expect((stranger.body as Envelope).errors[0].code).toBe('follower_cannot_read_target');
      expect(await rows('followers', owner.organization.id)).toBe(0);
      const added = await owner.post(url()).send({ userId: viewer.user.id });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({ userId: viewer.user.id, reason: 'manual' });
    });

    it("answers 404 for another tenant's record and an unknown type", async () => {
      expect((await other.get(url())).status).toBe(404);
      expect((await other.put(`${url()}/me`)).status).toBe(404);
      expect((await other.delete(`${url()}/me`)).status).toBe(404);
      expect((await other.post(url()).send({ userId: other.user.id })).status).toBe(404);
      expect((await owner.get(`/api/v1/followers/invoice/${categoryId}`)).status).toBe(404);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM followers WHERE user_id = $1',
        [other.user.id],
      );
      expect(n).toBe(0);
    });
  });

  describe('the notifications event consumer', () => {
    it('turns comment and record events into follows and notifications, idempotently', async () => {
      const res = await owner
        .post('/api/v1/categories')
        .send({ type: 'product', name: `Commented ${uuidv7()}` });
      const target = { entityType: 'category', entityId: (res.body as { id: string }).id };
      const orgId = owner.organization.id;
      const commentId = uuidv7();
      const events = [
        {
          eventId: uuidv7(),
          organizationId: orgId,
          type: 'comment.created',
          entityType: 'comment',
          entityId: commentId,
          actorUserId: owner.user.id,
          data: { target, parentId: null, mentionedUserIds: [member.user.id], excerpt: 'hi' },
        },
        {
          eventId: uuidv7(),
          organizationId: orgId,
          type: 'category.updated',
          entityType: 'category',
          entityId: target.entityId,
          actorUserId: member.user.id,
          changedFields: ['name'],
          data: {},
        },
      ];
      const consumer = worker.get(NotificationsEventConsumer);
      const db = worker.get(TenantDatabase);
      for (let round = 0; round < 2; round += 1) {
        const push = await db.runAsSystem('outbox-relay', (m) => consumer.handle(m, events));
        push();
      }
      const follows = await t.dataSource.query<{ user_id: string; reason: string }[]>(
        `SELECT user_id, reason FROM followers WHERE entity_id = $1 ORDER BY reason`,
        [target.entityId],
      );
      expect(follows).toEqual([
        { user_id: owner.user.id, reason: 'author' },
        { user_id: member.user.id, reason: 'mentioned' },
      ]);
      const written = await t.dataSource.query<{ recipient_user_id: string; type: string }[]>(
        `SELECT recipient_user_id, type FROM notifications WHERE entity_id = $1 ORDER BY type`,
        [target.entityId],
      );
      expect(written).toEqual([
        { recipient_user_id: member.user.id, type: 'comment.mention' },
        { recipient_user_id: owner.user.id, type: 'record.updated' },
      ]);
      await unreadCount(member);
      await unreadCount(owner);
    });
  });
});
