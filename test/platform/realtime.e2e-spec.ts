import { WakeUps } from '../../src/core/redis';
import { OUTBOX_WAKE_UP } from '../../src/modules/domain-events';
import type { AddressInfo } from 'node:net';
import { io, Socket } from 'socket.io-client';
import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Envelope {
  errors: { code: string; source?: { pointer?: string } }[];
}
interface Room {
  id: string;
  participantIds: string[];
}
interface Message {
  id: string;
  body: string;
  authorId: string;
  roomId: string;
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

describe('realtime (socket.io, two API instances over Redis) and chat', () => {
  let a: TestApp;
  let b: TestApp;
  let urlA: string;
  let urlB: string;
  let owner: Actor;
  let colleague: Actor;
  let viewer: Actor;
  let other: Actor;
  const sockets: Socket[] = [];

  const listen = async (t: TestApp) => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    return `http://127.0.0.1:${port}/realtime`;
  };
  /** A socket of `actor` (its organization unless given), connected or refused. */
  const open = (url: string, auth: Record<string, unknown>) => {
    const socket = io(url, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    return socket;
  };
  const connect = async (url: string, actor: Actor, organizationId = actor.organization.id) => {
    const socket = open(url, { token: actor.tokens.accessToken, organizationId });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  const refused = async (auth: Record<string, unknown>) => {
    const socket = open(urlA, auth);
    const error = await next<Error>(socket, 'connect_error');
    expect(socket.connected).toBe(false);
    return error.message;
  };
  /** Resolves to the events `socket` got for `event` during `ms`. */
  const collect = async <T>(socket: Socket, event: string, ms = 800) => {
    const seen: T[] = [];
    const listener = (payload: T) => seen.push(payload);
    socket.on(event, listener);
    await new Promise((resolve) => setTimeout(resolve, ms));
    socket.off(event, listener);
    return seen;
  };
  const actorOn = (t: TestApp, actor: Actor) => ({
    ...actor,
    get: (url: string) => t.http.get(url).set(actor.headers),
    post: (url: string) => t.http.post(url).set(actor.headers),
  });

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ environment: a.environment });
    await a.startWorker(); // outbox relay (entity changes) and task notifications
    urlA = await listen(a);
    urlB = await listen(b);
    owner = await createTenant(a);
    colleague = await addActor(a, owner.organization, ['Member']);
    viewer = await addActor(a, owner.organization, ['Viewer']);
    other = await createTenant(a);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await b.close();
    await a.close();
  });

  describe('handshake', () => {
    it('refuses a missing, forged or expired token', async () => {
      expect(await refused({})).toBe('unauthorized');
      expect(await refused({ token: 'not-a-jwt', organizationId: owner.organization.id })).toBe(
        'unauthorized',
      );
      const forged = `${owner.tokens.accessToken.slice(0, -4)}AAAA`;
      expect(await refused({ token: forged, organizationId: owner.organization.id })).toBe(
        'unauthorized',
      );
    });

    it('accepts an API key, which receives its organization’s entity events; a revoked key is refused', async () => {
      const [role] = await a.dataSource.query<{ id: string }[]>(
        `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Member'`,
      );
      const created = await owner
        .post('/api/v1/api-keys')
        .send({ name: 'dashboard', roleId: role.id })
        .expect(201);
      const { id, key } = created.body as { id: string; key: string };
      const socket = open(urlA, { apiKey: key });
      await next(socket, 'connect');
      const changed = next<{ type: string; id: string }>(socket, 'entity.changed');
      const product = await owner
        .post('/api/v1/products')
        .send({ sku: 'RT-KEY', name: 'Key Widget', type: 'goods' })
        .expect(201);
      expect(await changed).toMatchObject({
        type: 'products',
        id: (product.body as { id: string }).id,
      });
      await owner.delete(`/api/v1/api-keys/${id}`).expect(204);
      expect(await refused({ apiKey: key })).toBe('unauthorized');
    });

    it('refuses an organization the user is not a member of', async () => {
      expect(
        await refused({ token: owner.tokens.accessToken, organizationId: other.organization.id }),
      ).toBe('unauthorized');
    });
  });

  describe('events across instances', () => {
    it('delivers an entity change committed through instance B to a socket on instance A, never to another tenant', async () => {
      const mine = await connect(urlA, owner);
      const theirs = await connect(urlB, other);
      const viewerSocket = await connect(urlB, viewer);
      const changed = next<{ type: string; id: string; action: string }>(mine, 'entity.changed');
      const viewerChanged = next<{ id: string }>(viewerSocket, 'entity.changed');
      const leaked = collect(theirs, 'entity.changed', 1_500);
      const created = await actorOn(b, owner)
        .post('/api/v1/products')
        .send({ sku: 'RT-1', name: 'Realtime Widget', type: 'goods' })
        .expect(201);
      const id = (created.body as { id: string }).id;
      expect(await changed).toEqual({ type: 'products', id, action: 'insert' });
      expect((await viewerChanged).id).toBe(id);
      expect(await leaked).toEqual([]);
    });

    it('coalesces a bulk write (an import batch) into one event per type', async () => {
      const socket = await connect(urlB, owner);
      const events = collect<Record<string, unknown>>(socket, 'entity.changed', 2_500);
      // A bulk write publishes one domain event per row (as imports do), in its transaction.
      await a.dataSource.query(
        `WITH p AS (
           INSERT INTO products (organization_id, sku, name, type, uom_code)
           SELECT $1, 'BULK-' || g, 'Bulk ' || g, 'goods', 'pc' FROM generate_series(1, 60) g
           RETURNING id, organization_id)
         INSERT INTO domain_events (organization_id, type, entity_type, entity_id)
         SELECT organization_id, 'product.created', 'product', id FROM p`,
        [owner.organization.id],
      );
      // Written outside `DomainEvents`: wake the relay as a publishing commit does.
      a.app.get(WakeUps).signal(OUTBOX_WAKE_UP);
      expect(await events).toEqual([{ type: 'products', action: 'bulk', count: 60 }]);
    });

    it('tells a user on another instance that their task finished', async () => {
      const socket = await connect(urlB, owner);
      const notified = next<Record<string, unknown>>(socket, 'notification', 15_000);
      const { taskId } = (await owner.post('/api/v1/stock-levels/reconcile').send({}).expect(202))
        .body as { taskId: string };
      expect(await notified).toEqual({
        kind: 'task.finished',
        taskId,
        name: 'stock.reconcile',
        state: 'completed',
      });
    });

    it('announces presence: online at the first socket, offline after the last', async () => {
      const watcher = await connect(urlA, owner);
      const online = next<{ userId: string; status: string }>(watcher, 'presence');
      const first = await connect(urlB, colleague);
      expect(await online).toEqual({ userId: colleague.user.id, status: 'online' });
      const second = await connect(urlA, colleague);
      const quiet = collect(watcher, 'presence', 600);
      second.disconnect(); // one socket left: still online
      expect(await quiet).toEqual([]);
      const offline = next<{ userId: string; status: string }>(watcher, 'presence');
      first.disconnect();
      expect(await offline).toEqual({ userId: colleague.user.id, status: 'offline' });
    });
  });

  describe('chat', () => {
    let room: Room;

    it('creates a room with its participants (201, Location), visible to them only', async () => {
      const res = await owner
        .post('/api/v1/chat-rooms')
        .send({ name: 'Dock 3', participantIds: [colleague.user.id] })
        .expect(201);
      room = res.body as Room;
      expect(res.headers.location).toBe(`/api/v1/chat-rooms/${room.id}`);
      expect(room.participantIds.sort()).toEqual([owner.user.id, colleague.user.id].sort());
      const rows = await a.dataSource.query<{ user_id: string }[]>(
        'SELECT user_id FROM chat_participants WHERE room_id = $1',
        [room.id],
      );
      expect(rows).toHaveLength(2);
      await colleague.get(`/api/v1/chat-rooms/${room.id}`).expect(200);
      const listed = await colleague.get('/api/v1/chat-rooms').expect(200);
      expect((listed.body as { items: Room[] }).items.map((r) => r.id)).toEqual([room.id]);
    });

    it('pushes a message posted on instance B to participants’ sockets on instance A; typing is relayed', async () => {
      const ownerSocket = await connect(urlA, owner);
      const colleagueSocket = await connect(urlB, colleague);
      const outsider = await connect(urlA, viewer);
      expect(await ownerSocket.emitWithAck('chat.join', { roomId: room.id })).toEqual({ ok: true });
      expect(await colleagueSocket.emitWithAck('chat.join', { roomId: room.id })).toEqual({
        ok: true,
      });
      expect(await outsider.emitWithAck('chat.join', { roomId: room.id })).toEqual({
        ok: false,
        error: 'forbidden',
      });
      const received = next<Message>(ownerSocket, 'chat.message');
      const leaked = collect(outsider, 'chat.message', 1_000);
      const posted = await actorOn(b, colleague)
        .post(`/api/v1/chat-rooms/${room.id}/messages`)
        .send({ body: 'Pallet 1042 is on dock 3.' })
        .expect(201);
      expect(await received).toEqual(posted.body);
      expect(await leaked).toEqual([]);

      const typing = next<{ roomId: string; userId: string }>(ownerSocket, 'chat.typing');
      expect(await colleagueSocket.emitWithAck('chat.typing', { roomId: room.id })).toEqual({
        ok: true,
      });
      expect(await typing).toEqual({ roomId: room.id, userId: colleague.user.id });
    });

    it('pages messages newest first with a cursor', async () => {
      for (let i = 1; i <= 4; i += 1) {
        await owner
          .post(`/api/v1/chat-rooms/${room.id}/messages`)
          .send({ body: `message ${i}` })
          .expect(201);
      }
      const first = await colleague
        .get(`/api/v1/chat-rooms/${room.id}/messages?size=2`)
        .expect(200);
      const page = first.body as { items: Message[]; total: number; nextCursor: string };
      expect(page.total).toBe(5);
      expect(page.items.map((m) => m.body)).toEqual(['message 4', 'message 3']);
      const second = await colleague
        .get(`/api/v1/chat-rooms/${room.id}/messages?size=2&cursor=${page.nextCursor}`)
        .expect(200);
      expect((second.body as { items: Message[] }).items.map((m) => m.body)).toEqual([
        'message 2',
        'message 1',
      ]);
    });

    it('refuses bad input (422), missing permission (403), non-participants and other tenants (404)', async () => {
      const empty = await owner.post('/api/v1/chat-rooms').send({ name: '' }).expect(422);
      expect((empty.body as Envelope).errors[0].source?.pointer).toBe('/name');
      const stranger = await owner
        .post('/api/v1/chat-rooms')
        .send({ name: 'x', participantIds: [other.user.id] })
        .expect(422);
      expect((stranger.body as Envelope).errors[0]).toMatchObject({
        code: 'not_a_member',
        source: { pointer: '/participantIds/0' },
      });
      await owner
        .post(`/api/v1/chat-rooms/${room.id}/messages`)
        .send({ body: 'x'.repeat(4001) })
        .expect(422);
      await viewer.get('/api/v1/chat-rooms').expect(403);
      await viewer.post(`/api/v1/chat-rooms/${room.id}/messages`).send({ body: 'hi' }).expect(403);

      const member = await addActor(a, owner.organization, ['Member']);
      await member.get(`/api/v1/chat-rooms/${room.id}`).expect(404);
      await member.get(`/api/v1/chat-rooms/${room.id}/messages`).expect(404);
      await member.post(`/api/v1/chat-rooms/${room.id}/messages`).send({ body: 'hi' }).expect(404);
      await other.get(`/api/v1/chat-rooms/${room.id}`).expect(404);
      await other.post(`/api/v1/chat-rooms/${room.id}/messages`).send({ body: 'hi' }).expect(404);
      const [{ n }] = await a.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM chat_messages WHERE room_id = $1 AND body = 'hi'`,
        [room.id],
      );
      expect(n).toBe(0);
    });

    it('adds and removes participants; a removed user loses the room', async () => {
      const member = await addActor(a, owner.organization, ['Member']);
      const added = await owner
        .post(`/api/v1/chat-rooms/${room.id}/participants`)
        .send({ userId: member.user.id })
        .expect(200);
      expect((added.body as Room).participantIds).toContain(member.user.id);
      await member.get(`/api/v1/chat-rooms/${room.id}/messages`).expect(200);
      await owner
        .post(`/api/v1/chat-rooms/${room.id}/participants`)
        .send({ userId: other.user.id })
        .expect(422);
      await owner
        .delete(`/api/v1/chat-rooms/${room.id}/participants/${member.user.id}`)
        .expect(204);
      await member.get(`/api/v1/chat-rooms/${room.id}`).expect(404);
      await owner
        .delete(`/api/v1/chat-rooms/${room.id}/participants/${member.user.id}`)
        .expect(404);
    });
  });
});
