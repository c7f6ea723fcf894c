import type { INestApplicationContext } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { Clock } from '../../src/core/clock';
import { ActivityOverdueSweeper } from '../../src/modules/activities';
import { DomainEventsRelay } from '../../src/modules/domain-events';
import { NotificationMailSweeper } from '../../src/modules/notifications';
import { RealtimeGateway } from '../../src/modules/realtime/realtime.gateway';
import { Actor, addActor, createTenant } from '../support/auth';
import { startSmtpServer } from '../support/mail';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Issue 17's collaboration flows end to end, through the real pieces: HTTP writes, the outbox
 * relay (`DomainEventsRelay.flush()` in the worker), the notifications consumer, the e-mail sweep
 * and the mail queue to a real SMTP server, the daily overdue sweep, and socket.io clients.
 * Time moves through the worker's injected `Clock`, never by sleeping.
 */

interface Envelope {
  errors: { code: string; source?: { pointer?: string }; meta?: Record<string, unknown> }[];
}
interface NotificationRow {
  id: string;
  recipient_user_id: string;
  type: string;
  title: string;
  entity_type: string | null;
  entity_id: string | null;
  data: Record<string, unknown>;
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

const utcDate = (at: Date) => at.toISOString().slice(0, 10);
const DAY_MS = 24 * 3600_000;

describe('collaboration flows (issue 17)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  let worker: INestApplicationContext;
  let url: string;
  let owner: Actor;
  let author: Actor;
  let bob: Actor; // reads French
  let follower: Actor;
  let viewer: Actor;
  let outsider: Actor; // another tenant
  const sockets: Socket[] = [];

  /**
   * Delivers every committed event. Twice: `flush()` drains without marking the relay busy, so a
   * NOTIFY wake-up arriving meanwhile can claim (SKIP LOCKED) the events `flush()` then misses;
   * the second call waits for that pass.
   */
  const drain = async () => {
    const relay = worker.get(DomainEventsRelay);
    await relay.flush();
    await relay.flush();
  };
  const clock = () => worker.get(Clock);
  /** Moves the worker's clock to `at` (it only moves forward from real time). */
  const setWorkerTime = (at: Date) => {
    clock().reset();
    clock().advance(at.getTime() - Date.now());
  };
  const notificationsOf = (actor: Actor, where = 'TRUE', values: unknown[] = []) =>
    t.dataSource.query<NotificationRow[]>(
      `SELECT id, recipient_user_id, type, title, entity_type, entity_id, data FROM notifications
        WHERE organization_id = $1 AND recipient_user_id = $2 AND ${where} ORDER BY created_at, id`,
      [actor.organization.id, actor.user.id, ...values],
    );
  const count = async (sql: string, values: unknown[]) =>
    (await t.dataSource.query<{ n: number }[]>(sql, values))[0].n;
  /** Resolves once `n` mails reached `to` over SMTP (or fails after 10 s). */
  const mailsTo = async (to: string, n: number): Promise<ParsedMail[]> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const mails = smtp.received.filter((m) => JSON.stringify(m.to).includes(to));
      if (mails.length >= n) return mails;
      if (Date.now() > deadline) throw new Error(`${mails.length}/${n} mails to ${to}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const product = async (actor = owner) => {
    const res = await actor.post('/api/v1/products').send({
      sku: `SKU-${randomUUID().slice(0, 8)}`,
      name: 'Earl Grey',
      type: 'goods',
      price: '12.5',
      currencyCode: 'EUR',
      uomCode: 'pc',
    });
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };
  const comment = async (actor: Actor, entityId: string, body: string, entityType = 'product') => {
    const res = await actor.post('/api/v1/comments').send({ entityType, entityId, body });
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };
  const mention = (actor: Actor, name: string) => `@[${name}](user:${actor.user.id})`;
  /** A tenant role with exactly `permissions`, and a member holding only it. */
  const roleAndMember = async (name: string, permissions: string[]) => {
    const res = await owner.post('/api/v1/roles').send({ name, permissions });
    expect(res.status).toBe(201);
    const member = await addActor(t, owner.organization, [name]);
    return { roleId: (res.body as { id: string }).id, member };
  };
  const connect = async (actor: Actor) => {
    const socket = io(url, {
      auth: { token: actor.tokens.accessToken, organizationId: actor.organization.id },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  /** What `socket` received for `event` while `work` ran and 500 ms after. */
  const heard = async <T>(socket: Socket, event: string, work: () => Promise<unknown>) => {
    const seen: T[] = [];
    const listener = (payload: T) => seen.push(payload);
    socket.on(event, listener);
    try {
      await work();
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      socket.off(event, listener);
    }
    return seen;
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({
      env: {
        EMAIL_BACKEND: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        EMAIL_FROM: 'Alees <no-reply@alees.test>',
        PUBLIC_APP_URL: 'https://erp.example.test',
      },
    });
    worker = await t.startWorker();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    url = `http://127.0.0.1:${port}/realtime`;
    owner = await createTenant(t);
    author = await addActor(t, owner.organization, ['Member']);
    bob = await addActor(t, owner.organization, ['Member']);
    await t.dataSource.query(`UPDATE users SET language = 'fr' WHERE id = $1`, [bob.user.id]);
    follower = await addActor(t, owner.organization, ['Member']);
    viewer = await addActor(t, owner.organization, ['Viewer']);
    outsider = await createTenant(t);
  });
  afterEach(() => clock().reset());
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await t?.close();
    await smtp?.close();
  });

  describe('mentions and comments → notifications and e-mail', () => {
    it('a mention reaches the French reader as a notification and a French e-mail', async () => {
      const productId = await product();
      const commentId = await comment(author, productId, `${mention(bob, 'Bob')} can you check?`);
      await drain();
      const [row] = await notificationsOf(bob, `type = 'comment.mention'`);
      expect(row).toMatchObject({ entity_type: 'product', entity_id: productId });
      expect(row.data).toMatchObject({ commentId });
      const label = row.data.label as string;
      expect(label).toContain('Earl Grey');
      // The author is neither mentioned nor told of their own comment.
      expect(await notificationsOf(author)).toEqual([]);

      // Immediate e-mail is coalesced over 5 minutes: nothing yet, then one French e-mail.
      const sweeper = worker.get(NotificationMailSweeper);
      await sweeper.flush();
      expect(smtp.received.filter((m) => JSON.stringify(m.to).includes(bob.user.email))).toEqual(
        [],
      );
      clock().advance(5 * 60_000 + 1_000);
      await sweeper.flush();
      const [mail] = await mailsTo(bob.user.email, 1);
      expect(mail.subject).toBe(`Vous avez été mentionné(e) sur ${label}`);
      expect(mail.text).toContain('Bonjour');
      expect(mail.text).toContain('Du nouveau dans');
      expect(mail.text).toContain('can you check?');
      expect(mail.text).toContain(`/api/v1/products/${productId}`);
      // The in-app row keeps its (English) title.
      expect(row.title).toBe(`You were mentioned on ${label}`);
    });

    it('a mention of someone who cannot read the product is 422 and writes nothing', async () => {
      const productId = await product();
      const { member: blind } = await roleAndMember('No products', ['contacts:read']);
      const orgId = owner.organization.id;
      const before = {
        comments: await count(
          'SELECT count(*)::int AS n FROM comments WHERE organization_id = $1',
          [orgId],
        ),
        events: await count(
          `SELECT count(*)::int AS n FROM domain_events WHERE organization_id = $1 AND type LIKE 'comment.%'`,
          [orgId],
        ),
      };
      const res = await author
        .post('/api/v1/comments')
        .send({ entityType: 'product', entityId: productId, body: `hi ${mention(blind, 'B')}` });
      expect(res.status).toBe(422);
      expect((res.body as Envelope).errors[0]).toMatchObject({
        code: 'invalid_mention',
        meta: { userId: blind.user.id },
      });
      await drain();
      expect(
        await count('SELECT count(*)::int AS n FROM comments WHERE organization_id = $1', [orgId]),
      ).toBe(before.comments);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM domain_events WHERE organization_id = $1 AND type LIKE 'comment.%'`,
          [orgId],
        ),
      ).toBe(before.events);
      expect(await notificationsOf(blind)).toEqual([]);
      expect(
        await count('SELECT count(*)::int AS n FROM followers WHERE entity_id = $1', [productId]),
      ).toBe(0);
    });

    it('a comment tells the followers (comment.new) but never its author', async () => {
      const productId = await product();
      expect((await follower.put(`/api/v1/followers/product/${productId}/me`)).status).toBe(200);
      // The author follows too (they commented before): still told nothing of their own comment.
      await comment(author, productId, 'first');
      await drain();
      const commentId = await comment(author, productId, 'Restocked on Monday');
      await drain();
      const toFollower = await notificationsOf(
        follower,
        `type = 'comment.new' AND entity_id = $3`,
        [productId],
      );
      expect(toFollower.map((n) => n.data.commentId)).toContain(commentId);
      expect(toFollower).toHaveLength(2);
      expect(await notificationsOf(author, 'entity_id = $3', [productId])).toEqual([]);
      const follows = await t.dataSource.query<{ user_id: string; reason: string }[]>(
        'SELECT user_id, reason FROM followers WHERE entity_id = $1 ORDER BY reason',
        [productId],
      );
      expect(follows).toEqual([
        { user_id: author.user.id, reason: 'author' },
        { user_id: follower.user.id, reason: 'manual' },
      ]);
    });

    it('digest_daily: one e-mail the next day with the coalesced comments', async () => {
      const reader = await addActor(t, owner.organization, ['Member']);
      const prefs = await reader.put('/api/v1/me/notification-preferences').send({
        preferences: [{ type: '*', channel: 'email', enabled: true, emailMode: 'digest_daily' }],
      });
      expect(prefs.status).toBe(200);
      const first = await product();
      const second = await product();
      for (const id of [first, second]) {
        expect((await reader.put(`/api/v1/followers/product/${id}/me`)).status).toBe(200);
      }
      await comment(author, first, 'Digest item one');
      await comment(author, second, 'Digest item two');
      await drain();
      expect(
        await notificationsOf(reader, `type = 'comment.new' AND entity_id = ANY($3)`, [
          [first, second],
        ]),
      ).toHaveLength(2);
      const sweeper = worker.get(NotificationMailSweeper);
      clock().advance(10 * 60_000);
      await sweeper.flush();
      const noMailYet = smtp.received.filter((m) =>
        JSON.stringify(m.to).includes(reader.user.email),
      );
      // Same UTC day: no digest yet (unless the 10 minutes crossed midnight, then it may be sent).
      const crossedMidnight = utcDate(clock().now()) !== utcDate(new Date());
      if (!crossedMidnight) expect(noMailYet).toEqual([]);
      clock().advance(DAY_MS);
      await sweeper.flush();
      await sweeper.flush(); // a second pass sends nothing more
      const mails = await mailsTo(reader.user.email, 1);
      expect(mails).toHaveLength(1);
      expect(mails[0].subject).toMatch(/^Your daily digest for .*: 2 notifications$/);
      expect(mails[0].text).toContain('Digest item one');
      expect(mails[0].text).toContain('Digest item two');
    });
  });

  describe('record changes → followers', () => {
    it('a product update tells followers with the changed fields; its deletion too', async () => {
      const productId = await product();
      expect((await follower.put(`/api/v1/followers/product/${productId}/me`)).status).toBe(200);
      expect((await owner.put(`/api/v1/followers/product/${productId}/me`)).status).toBe(200);
      const patch = await owner.patch(`/api/v1/products/${productId}`).send({ name: 'Darjeeling' });
      expect(patch.status).toBe(200);
      await drain();
      const [updated] = await notificationsOf(
        follower,
        `type = 'record.updated' AND entity_id = $3`,
        [productId],
      );
      expect(updated.data.changedFields).toContain('name');
      expect(updated.title).toContain('Darjeeling');
      // The actor is not told of their own change.
      expect(await notificationsOf(owner, 'entity_id = $3', [productId])).toEqual([]);

      expect((await owner.delete(`/api/v1/products/${productId}`)).status).toBe(204);
      await drain();
      const deleted = await notificationsOf(
        follower,
        `type = 'record.deleted' AND entity_id = $3`,
        [productId],
      );
      expect(deleted).toHaveLength(1);
      expect(await notificationsOf(owner, 'entity_id = $3', [productId])).toEqual([]);
      expect(
        await count('SELECT count(*)::int AS n FROM followers WHERE entity_id = $1', [productId]),
      ).toBe(0);
    });

    it('followers of a stock location hear of its changes (audit type stock_location)', async () => {
      const warehouse = await owner
        .post('/api/v1/warehouses')
        .send({ code: `W${randomUUID().slice(0, 6)}`, name: 'Main' });
      expect(warehouse.status).toBe(201);
      const location = await owner.post('/api/v1/stock-locations').send({
        warehouseId: (warehouse.body as { id: string }).id,
        code: `L${randomUUID().slice(0, 6)}`,
        name: 'Bin',
      });
      expect(location.status).toBe(201);
      const locationId = (location.body as { id: string }).id;
      expect((await follower.put(`/api/v1/followers/stock-location/${locationId}/me`)).status).toBe(
        200,
      );
      const patch = await owner
        .patch(`/api/v1/stock-locations/${locationId}`)
        .send({ name: 'Shelf' });
      expect(patch.status).toBe(200);
      await drain();
      const [updated] = await notificationsOf(
        follower,
        `type = 'record.updated' AND entity_id = $3`,
        [locationId],
      );
      expect(updated).toMatchObject({ entity_type: 'stock-location' });
      expect(updated.data.changedFields).toContain('name');
      expect((await owner.delete(`/api/v1/stock-locations/${locationId}`)).status).toBe(204);
      await drain();
      const deleted = await notificationsOf(
        follower,
        `type = 'record.deleted' AND entity_id = $3`,
        [locationId],
      );
      expect(deleted).toHaveLength(1);
      expect(deleted[0].entity_type).toBe('stock-location');
    });
  });

  describe('daily activity.overdue', () => {
    const activity = async (productId: string, dueDate: string, assignee: Actor) => {
      const res = await owner.post('/api/v1/activities').send({
        entityType: 'product',
        entityId: productId,
        type: 'call',
        summary: `Call the supplier ${dueDate}`,
        dueDate,
        assigneeUserId: assignee.user.id,
      });
      expect(res.status).toBe(201);
      return (res.body as { id: string; version: number }).id;
    };
    const overdueOf = (actor: Actor, activityId: string) =>
      notificationsOf(actor, `type = 'activity.overdue' AND data->>'activityId' = $3`, [
        activityId,
      ]);

    it('one notification per overdue activity per day, none twice, none for done ones', async () => {
      const productId = await product();
      const yesterday = utcDate(new Date(Date.now() - DAY_MS));
      const open = await activity(productId, yesterday, bob);
      const finished = await activity(productId, yesterday, bob);
      expect((await owner.post(`/api/v1/activities/${finished}/done`)).status).toBe(200);
      await drain(); // activity.assigned and the rest
      const sweeper = worker.get(ActivityOverdueSweeper);

      expect(await sweeper.flush()).toBeGreaterThanOrEqual(1);
      await drain();
      const first = await overdueOf(bob, open);
      expect(first).toHaveLength(1);
      expect(first[0].data).toMatchObject({ dueDate: yesterday });
      expect(first[0].entity_id).toBe(productId);
      const [claimed] = await t.dataSource.query<{ day: string | null }[]>(
        `SELECT to_char(overdue_notified_on, 'YYYY-MM-DD') AS day FROM activities WHERE id = $1`,
        [open],
      );
      expect(claimed.day).toBe(utcDate(clock().now()));

      // Again the same day: nothing new.
      await sweeper.flush();
      await drain();
      expect(await overdueOf(bob, open)).toHaveLength(1);
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM domain_events WHERE type = 'activity.overdue' AND entity_id = $1`,
        [open],
      );
      expect(n).toBe(0); // delivered and gone; none queued

      // The next day: one more reminder; the done one never.
      clock().advance(DAY_MS);
      await sweeper.flush();
      await drain();
      expect(await overdueOf(bob, open)).toHaveLength(2);
      expect(await overdueOf(bob, finished)).toEqual([]);
    });

    it("counts days in the organization's time zone", async () => {
      // At 12:00 UTC on day D it is already D+1 at UTC+14: a D activity is overdue there only.
      const noon = new Date(`${utcDate(new Date(Date.now() + DAY_MS))}T12:00:00.000Z`);
      const day = utcDate(noon);
      const east = await createTenant(t);
      await t.dataSource.query(
        `UPDATE organizations SET timezone = 'Pacific/Kiritimati' WHERE id = $1`,
        [east.organization.id],
      );
      const eastMember = await addActor(t, east.organization, ['Member']);
      const eastProduct = await product(east);
      const eastActivity = await east.post('/api/v1/activities').send({
        entityType: 'product',
        entityId: eastProduct,
        type: 'todo',
        summary: 'Count the bins',
        dueDate: day,
        assigneeUserId: eastMember.user.id,
      });
      expect(eastActivity.status).toBe(201);
      const eastId = (eastActivity.body as { id: string }).id;
      const utcActivity = await activity(await product(), day, bob);

      setWorkerTime(noon);
      await worker.get(ActivityOverdueSweeper).flush();
      await drain();
      expect(await overdueOf(eastMember, eastId)).toHaveLength(1);
      expect(await overdueOf(bob, utcActivity)).toEqual([]);
    });
  });

  describe('realtime to the right sockets', () => {
    it('comment events reach readers of the product in the organization only', async () => {
      const productId = await product();
      const { member: blind } = await roleAndMember('Comments without products', [
        'comments:read',
        'contacts:read',
      ]);
      const [readerSocket, blindSocket, outsiderSocket] = await Promise.all([
        connect(viewer),
        connect(blind),
        connect(outsider),
      ]);
      const wrong: unknown[] = [];
      blindSocket.on('comment.created', (p) => wrong.push(p));
      outsiderSocket.on('comment.created', (p) => wrong.push(p));
      const pushed = next<{ id: string; entityType: string; entityId: string }>(
        readerSocket,
        'comment.created',
      );
      const id = await comment(author, productId, 'Live comment');
      expect(await pushed).toMatchObject({ id, entityType: 'product', entityId: productId });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(wrong).toEqual([]);
    });

    it("notification and unread count reach the recipient's socket only", async () => {
      const productId = await product();
      const [bobSocket, viewerSocket, outsiderSocket] = await Promise.all([
        connect(bob),
        connect(viewer),
        connect(outsider),
      ]);
      const wrong: unknown[] = [];
      for (const socket of [viewerSocket, outsiderSocket]) {
        socket.on('notification', (p) => wrong.push(p));
        socket.on('notifications.unread_count', (p) => wrong.push(p));
      }
      const pushed = next<{ type: string; target: unknown }>(bobSocket, 'notification');
      const unread = next<{ unread: number }>(bobSocket, 'notifications.unread_count');
      await comment(author, productId, `${mention(bob, 'Bob')} live`);
      await drain();
      expect(await pushed).toMatchObject({
        type: 'comment.mention',
        target: { entityType: 'product', entityId: productId },
      });
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM notifications
          WHERE recipient_user_id = $1 AND read_at IS NULL AND archived_at IS NULL`,
        [bob.user.id],
      );
      expect((await unread).unread).toBe(n);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(wrong).toEqual([]);
    });

    it('a role losing products:read takes its sockets out of the readers room, and back', async () => {
      const productId = await product();
      const { roleId, member } = await roleAndMember('Product readers', [
        'products:read',
        'comments:read',
      ]);
      const socket = await connect(member);
      const gateway = t.app.get(RealtimeGateway);
      const before = await heard(socket, 'comment.created', () =>
        comment(author, productId, 'seen'),
      );
      expect(before).toHaveLength(1);

      const narrowed = await owner
        .patch(`/api/v1/roles/${roleId}`)
        .send({ permissions: ['comments:read'] });
      expect(narrowed.status).toBe(200);
      await gateway.resyncIfAccessChanged();
      const after = await heard(socket, 'comment.created', () =>
        comment(author, productId, 'not seen'),
      );
      expect(after).toEqual([]);
      expect(socket.connected).toBe(true);

      const widened = await owner
        .patch(`/api/v1/roles/${roleId}`)
        .send({ permissions: ['comments:read', 'products:read'] });
      expect(widened.status).toBe(200);
      await gateway.resyncIfAccessChanged();
      const again = await heard(socket, 'comment.created', () =>
        comment(author, productId, 'seen again'),
      );
      expect(again).toHaveLength(1);
    });
  });
});
