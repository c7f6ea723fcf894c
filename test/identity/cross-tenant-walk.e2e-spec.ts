import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { Response } from 'supertest';
import { TargetRegistry } from '../../src/core/targets';
import { Actor, addActor, createTenant } from '../support/auth';
import { OpenApiDoc, requestSchema, sampleRequestBody } from '../support/openapi-sample';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The cross-tenant walk (SPEC §5, issue 17): every route of the running app that names a record
 * in its path is called by the owner of another organization (org B, every tenant permission) with
 * the ids of real records of org A. Each call must answer 404 — or 403 where the route is refused
 * to B for a reason unrelated to the record (listed in `REFUSED_FOR_B`) — never 2xx or 5xx, must
 * not echo any other of A's ids, and must write nothing of A's (every table's rows of A, hashed,
 * before and after each call). Write calls carry a plausible `If-Match` (A's real ETag) and a body
 * generated from the route's OpenAPI schema, so the 404 comes from the tenant check, not from
 * validation. List routes whose query names a record (`?productId=`, `?entityType&entityId`) must
 * give B a 404 or an empty list.
 *
 * The fixture maps are complete on purpose: a new parameterised route (or a new record-naming
 * query parameter, or a new target type) fails this test until it gets a fixture here or an
 * exemption with its reason.
 */

/** Org A's records, created through the API by A's owner. */
interface OrgA {
  orgId: string;
  childOrgId: string;
  ownerUserId: string;
  memberUserId: string;
  memberMembershipId: string;
  sessionId: string;
  product: string;
  contact: string;
  category: string;
  warehouse: string;
  location: string;
  stockMove: string;
  taxJurisdiction: string;
  taxCategory: string;
  taxRate: string;
  schedule: string;
  file: string;
  attachment: string;
  role: string;
  invitation: string;
  apiKey: string;
  chatRoom: string;
  notification: string;
  pingTask: string;
  exportTask: string;
  importTask: string;
  comment: string;
  activity: string;
  tag: string;
  customField: string;
  status: string;
  savedFilter: string;
  folder: string;
  document: string;
  shareLink: string;
  meeting: string;
  meetingParticipant: string;
  calendarFeedToken: string;
  webhookSubscription: string;
  webhookDelivery: string;
  workflow: string;
  automationRule: string;
  automationRun: string;
}

type Params = Record<string, string>;

/** Org B's own records, for list routes that need one of B's next to A's id. */
interface OrgB {
  product: string;
  chatRoom: string;
  webhookSubscription: string;
}

/**
 * Target types (SPEC-P3 §0, `TargetRegistry`) → the org A record of that type. A type registered
 * without an entry here fails the walk.
 */
const TARGETS: Record<string, (a: OrgA) => string> = {
  product: (a) => a.product,
  contact: (a) => a.contact,
  category: (a) => a.category,
  warehouse: (a) => a.warehouse,
  'stock-location': (a) => a.location,
  document: (a) => a.document,
  meeting: (a) => a.meeting,
};

/** Translatable types (`/content-translations/{type}/{id}`, the documented enum) → A's record. */
const TRANSLATABLE: Record<string, (a: OrgA) => string> = {
  products: (a) => a.product,
};

/**
 * Route template (as Nest registers it, without `/api/v1`) → the org A parameter sets to call it
 * with (every method of the template). Each set must name every parameter of the template.
 */
const PATH_FIXTURES: Record<string, (a: OrgA, targetTypes: string[]) => Params[]> = {
  '/activities/:id': (a) => [{ id: a.activity }],
  '/activities/:id/done': (a) => [{ id: a.activity }],
  '/api-keys/:id': (a) => [{ id: a.apiKey }],
  '/api-keys/:id/revoke': (a) => [{ id: a.apiKey }],
  '/attachments/:id': (a) => [{ id: a.attachment }],
  '/automation-rules/:id': (a) => [{ id: a.automationRule }],
  '/automation-rules/:id/disable': (a) => [{ id: a.automationRule }],
  '/automation-rules/:id/enable': (a) => [{ id: a.automationRule }],
  '/automation-rules/:id/run': (a) => [{ id: a.automationRule }],
  '/automation-rules/:id/test': (a) => [{ id: a.automationRule }],
  '/automation-runs/:id': (a) => [{ id: a.automationRun }],
  '/automation-runs/:id/retry': (a) => [{ id: a.automationRun }],
  // A's owner's own session: B's owner must not end it (SPEC §4 sessions are the account's).
  '/auth/me/sessions/:id': (a) => [{ id: a.sessionId }],
  '/categories/:id': (a) => [{ id: a.category }],
  '/categories/:id/move': (a) => [{ id: a.category }],
  '/chat-rooms/:id': (a) => [{ id: a.chatRoom }],
  '/chat-rooms/:id/messages': (a) => [{ id: a.chatRoom }],
  '/chat-rooms/:id/participants': (a) => [{ id: a.chatRoom }],
  '/chat-rooms/:id/participants/:userId': (a) => [{ id: a.chatRoom, userId: a.memberUserId }],
  '/comments/:id': (a) => [{ id: a.comment }],
  '/comments/:id/hide': (a) => [{ id: a.comment }],
  '/comments/:id/unhide': (a) => [{ id: a.comment }],
  // A's owner reacted with 👍: B must neither add to nor take away A's reactions.
  '/comments/:id/reactions/:emoji': (a) => [{ id: a.comment, emoji: '👍' }],
  '/contacts/:id': (a) => [{ id: a.contact }],
  '/custom-fields/:id': (a) => [{ id: a.customField }],
  '/documents/:id': (a) => [{ id: a.document }],
  '/documents/:id/checkin': (a) => [{ id: a.document }],
  '/documents/:id/checkout': (a) => [{ id: a.document }],
  '/documents/:id/content': (a) => [{ id: a.document }],
  '/documents/:id/force-unlock': (a) => [{ id: a.document }],
  '/documents/:id/share-links': (a) => [{ id: a.document }],
  '/documents/:id/share-links/:linkId': (a) => [{ id: a.document, linkId: a.shareLink }],
  '/documents/:id/versions': (a) => [{ id: a.document }],
  '/documents/:id/versions/:number/restore': (a) => [{ id: a.document, number: '1' }],
  '/folders/:id': (a) => [{ id: a.folder }],
  '/folders/:id/move': (a) => [{ id: a.folder }],
  '/content-translations/:type/:id': (a) =>
    Object.entries(TRANSLATABLE).map(([type, id]) => ({ type, id: id(a) })),
  '/files/:id': (a) => [{ id: a.file }],
  '/files/:id/confirm': (a) => [{ id: a.file }],
  '/files/:id/content': (a) => [{ id: a.file }],
  '/files/:id/signed-url': (a) => [{ id: a.file }],
  '/followers/:entityType/:entityId': (a, types) => targetParams(a, types),
  '/followers/:entityType/:entityId/me': (a, types) => targetParams(a, types),
  '/invitations/:id': (a) => [{ id: a.invitation }],
  // Member ids are user ids (profiles module): A's member, as seen from B.
  '/me/calendar-feed-tokens/:id': (a) => [{ id: a.calendarFeedToken }],
  '/meetings/:id': (a) => [{ id: a.meeting }],
  '/meetings/:id.ics': (a) => [{ id: a.meeting }],
  '/meetings/:id/cancel': (a) => [{ id: a.meeting }],
  '/meetings/:id/join': (a) => [{ id: a.meeting }],
  '/meetings/:id/participants': (a) => [{ id: a.meeting }],
  '/meetings/:id/participants/:participantId': (a) => [
    { id: a.meeting, participantId: a.meetingParticipant },
  ],
  '/meetings/:id/rsvp': (a) => [{ id: a.meeting }],
  '/members/:id/profile': (a) => [{ id: a.memberUserId }, { id: a.ownerUserId }],
  '/memberships/:id': (a) => [{ id: a.memberMembershipId }],
  '/memberships/:id/reactivate': (a) => [{ id: a.memberMembershipId }],
  '/memberships/:id/suspend': (a) => [{ id: a.memberMembershipId }],
  '/notifications/:id': (a) => [{ id: a.notification }],
  '/notifications/:id/read': (a) => [{ id: a.notification }],
  '/notifications/:id/unread': (a) => [{ id: a.notification }],
  '/organizations/:id': (a) => [{ id: a.orgId }, { id: a.childOrgId }],
  '/organizations/:id/ancestors': (a) => [{ id: a.childOrgId }],
  '/organizations/:id/archive': (a) => [{ id: a.childOrgId }],
  '/organizations/:id/children': (a) => [{ id: a.orgId }],
  '/organizations/:id/descendants': (a) => [{ id: a.orgId }],
  '/organizations/:id/move': (a) => [{ id: a.childOrgId }],
  '/organizations/:id/restore': (a) => [{ id: a.childOrgId }],
  '/products/:id': (a) => [{ id: a.product }],
  '/products/:id/transitions': (a) => [{ id: a.product }],
  '/roles/:id': (a) => [{ id: a.role }],
  '/saved-filters/:id': (a) => [{ id: a.savedFilter }],
  '/schedules/:id': (a) => [{ id: a.schedule }],
  '/stock-locations/:id': (a) => [{ id: a.location }],
  '/stock-locations/:id/move': (a) => [{ id: a.location }],
  '/statuses/:id': (a) => [{ id: a.status }],
  '/stock-moves/:id': (a) => [{ id: a.stockMove }],
  '/system/ping/:taskId': (a) => [{ taskId: a.pingTask }],
  '/taggings/:entityType/:entityId': (a, types) => targetParams(a, types),
  '/tags/:id': (a) => [{ id: a.tag }],
  '/tags/:id/merge': (a) => [{ id: a.tag }],
  '/tasks/:id': (a) => [{ id: a.exportTask }, { id: a.importTask }],
  '/tax-categories/:id': (a) => [{ id: a.taxCategory }],
  '/tax-jurisdictions/:id': (a) => [{ id: a.taxJurisdiction }],
  '/tax-jurisdictions/:id/move': (a) => [{ id: a.taxJurisdiction }],
  '/tax-rates/:id': (a) => [{ id: a.taxRate }],
  '/tenants/:id': (a) => [{ id: a.orgId }],
  '/tenants/:id/exports': (a) => [{ id: a.orgId }],
  '/timeline/:entityType/:entityId': (a, types) => targetParams(a, types),
  '/users/:id': (a) => [{ id: a.ownerUserId }, { id: a.memberUserId }],
  '/users/:id/profile': (a) => [{ id: a.ownerUserId }, { id: a.memberUserId }],
  '/warehouses/:id': (a) => [{ id: a.warehouse }],
  '/webhook-subscriptions/:id': (a) => [{ id: a.webhookSubscription }],
  '/webhook-subscriptions/:id/rotate-secret': (a) => [{ id: a.webhookSubscription }],
  '/webhook-subscriptions/:id/deliveries': (a) => [{ id: a.webhookSubscription }],
  '/webhook-subscriptions/:id/deliveries/:deliveryId/retry': (a) => [
    { id: a.webhookSubscription, deliveryId: a.webhookDelivery },
  ],
  // Only types a workflow governs have instances; A's products run under an active workflow.
  '/workflow-instances/:entityType/:entityId': (a) => [
    { entityType: 'product', entityId: a.product },
  ],
  '/workflow-instances/:entityType/:entityId/transitions': (a) => [
    { entityType: 'product', entityId: a.product },
  ],
  '/workflows/:id': (a) => [{ id: a.workflow }],
  '/workflows/:id/activate': (a) => [{ id: a.workflow }],
  '/workflows/:id/revisions': (a) => [{ id: a.workflow }],
};

function targetParams(a: OrgA, types: string[]): Params[] {
  return types.map((entityType) => {
    const id = TARGETS[entityType];
    if (!id) throw new Error(`no cross-tenant target fixture for entity type ${entityType}`);
    return { entityType, entityId: id(a) };
  });
}

/**
 * Parameterised routes that name no record of an organization, each with the reason. Every
 * method of the template is exempt.
 */
const EXEMPT: Record<string, string> = {
  '/currencies/:code': 'global reference data (no organization_id); changes are superuser-only',
  '/units-of-measure/:code':
    'global reference data (no organization_id); changes are superuser-only',
  '/feature-flags/:key': 'platform flags (no organization_id); every method is superuser-only',
  '/shared/:token':
    'public: the path carries a share link’s secret token (its organization inside), not an id; tested in test/documents',
  '/integrations/video/:provider/webhook':
    'public: the path names a video provider, not a record; the signed body names the room (meetings e2e)',
  '/invitations/:token/accept':
    'public: the path carries the invitation’s secret token, not an id; whoever holds it may accept',
};

/**
 * `METHOD template` → why org B's owner is refused (403) before the record is looked at: each
 * needs a platform permission no tenant role can hold (`PLATFORM_PERMISSIONS`).
 */
const REFUSED_FOR_B: Record<string, string> = {
  'PATCH /users/:id': 'users:update is a platform permission (superusers only)',
  'DELETE /users/:id': 'users:delete is a platform permission (superusers only)',
  'DELETE /tenants/:id': 'tenants:manage is a platform permission (superusers only)',
  'POST /tenants/:id/exports': 'tenants:manage is a platform permission (superusers only)',
};

/**
 * `GET template` → for each query parameter naming a record, the org A value (and the other
 * query parameters the list needs with it, B's own where the route needs a record of B). Every GET query parameter whose name ends in `Id`
 * or whose schema is a uuid (`?assignee=`) must be here, keyset cursors aside.
 */
const QUERY_FIXTURES: Record<string, Record<string, (a: OrgA, b: OrgB) => Params>> = {
  '/activities': {
    entityId: (a) => ({ entityType: 'product', entityId: a.product }),
    // The list is per target: B's own product, filtered by A's member.
    assignee: (a, b) => ({ entityType: 'product', entityId: b.product, assignee: a.memberUserId }),
  },
  '/attachments': {
    entityId: (a) => ({ entityType: 'product', entityId: a.product }),
  },
  '/audit-logs': {
    entityId: (a) => ({ entityType: 'product', entityId: a.product }),
    actorUserId: (a) => ({ actorUserId: a.ownerUserId }),
  },
  '/automation-runs': { ruleId: (a) => ({ ruleId: a.automationRule }) },
  '/categories': { parentId: (a) => ({ parentId: a.category }) },
  '/comments': {
    entityId: (a) => ({ entityType: 'product', entityId: a.product }),
  },
  '/contacts': { categoryId: (a) => ({ categoryId: a.category }) },
  '/documents': {
    folderId: (a) => ({ folderId: a.folder }),
    type: (a) => ({ type: a.category }),
  },
  '/folders': { parentId: (a) => ({ parentId: a.folder }) },
  '/memberships': {
    userId: (a) => ({ userId: a.memberUserId }),
    roleId: (a) => ({ roleId: a.role }),
  },
  '/meetings': { host: (a) => ({ host: a.ownerUserId }) },
  '/organizations': { parentId: (a) => ({ parentId: a.orgId }) },
  '/products': { categoryId: (a) => ({ categoryId: a.category }) },
  '/stock-levels': {
    productId: (a) => ({ productId: a.product }),
    locationId: (a) => ({ locationId: a.location }),
    warehouseId: (a) => ({ warehouseId: a.warehouse }),
  },
  '/stock-locations': {
    warehouseId: (a) => ({ warehouseId: a.warehouse }),
    parentId: (a) => ({ parentId: a.location }),
  },
  '/stock-moves': {
    productId: (a) => ({ productId: a.product }),
    locationId: (a) => ({ locationId: a.location }),
  },
  '/tax-jurisdictions': { parentId: (a) => ({ parentId: a.taxJurisdiction }) },
  '/tax-rates': {
    jurisdictionId: (a) => ({ jurisdictionId: a.taxJurisdiction }),
    taxCategoryId: (a) => ({ taxCategoryId: a.taxCategory }),
  },
  '/tax-rates/lookup': {
    jurisdictionId: (a) => ({
      jurisdictionId: a.taxJurisdiction,
      taxCategoryId: a.taxCategory,
      date: '2025-01-01',
    }),
    taxCategoryId: (a) => ({
      jurisdictionId: a.taxJurisdiction,
      taxCategoryId: a.taxCategory,
      date: '2025-01-01',
    }),
  },
};

/** List routes with path parameters: B's own record to list under, while `?savedFilterId=` names A's. */
const LIST_PATH_FOR_B: Record<string, (b: OrgB) => Params> = {
  '/chat-rooms/{id}/messages': (b) => ({ id: b.chatRoom }),
  '/webhook-subscriptions/{id}/deliveries': (b) => ({ id: b.webhookSubscription }),
};

/**
 * `METHOD template` → fields that replace the sampled body's, where a random value would be
 * refused for a reason of B's own (a body naming someone who is not B's member) before the route
 * looks at A's record. B's owner then asks for something B could do in its own organization.
 */
const BODY_FOR_B: Record<string, (b: Actor) => Record<string, unknown>> = {
  'POST /chat-rooms/:id/participants': (b) => ({ userId: b.user.id }),
};

interface Route {
  method: string;
  /** As Nest registers it, without the global prefix: `/products/:id`. */
  path: string;
}

/** Every route of the running app, read from Nest's controller metadata (as the permission walk). */
function appRoutes(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const joined = [base, path]
          .filter((p) => p && p !== '/')
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .join('/');
        routes.push({ method, path: `/${joined}` });
      }
    }
  }
  return routes.sort((x, y) => `${x.path} ${x.method}`.localeCompare(`${y.path} ${y.method}`));
}

const paramNames = (path: string): string[] =>
  [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);
const fill = (path: string, params: Params): string =>
  path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(params[name]));
const documented = (path: string): string => `/api/v1${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;

interface Envelope {
  errors?: { code: string; detail?: string }[];
}

describe('cross-tenant walk: org B’s owner calling every record route with org A’s ids', () => {
  let t: TestApp;
  let owner: Actor;
  let member: Actor;
  let other: Actor;
  let a: OrgA;
  let b: OrgB;
  let document: OpenApiDoc;
  let mediaRoot: string;
  let tenantTables: string[];
  let userTables: string[];
  /** Concrete URL → the ETag A's owner read there (the If-Match B sends). */
  const etags = new Map<string, string>();

  const created = (res: Response, what: string): string => {
    if (res.status !== 201 && res.status !== 202)
      throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as { id?: string; taskId?: string };
    return String(body.id ?? body.taskId);
  };
  const post = async (url: string, body: object, actor = owner) =>
    created(await actor.post(`/api/v1${url}`).send(body), url);

  /**
   * Org A's rows, hashed table by table: every table with `organization_id` (A's rows), every
   * other table with `user_id` (rows of A's two people), A's organizations and A's users.
   */
  const snapshotA = async (): Promise<Record<string, string>> => {
    const orgs = [a.orgId, a.childOrgId];
    const users = [a.ownerUserId, a.memberUserId];
    const parts = [
      ...tenantTables.map((table) => ({ table, where: 'organization_id = ANY($1::uuid[])' })),
      ...userTables.map((table) => ({ table, where: 'user_id = ANY($2::uuid[])' })),
      { table: 'organizations', where: 'id = ANY($1::uuid[])' },
      { table: 'users', where: 'id = ANY($2::uuid[])' },
    ];
    const sql = parts
      .map(
        ({ table, where }) =>
          `SELECT '${table}' AS name, count(*)::int || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS hash FROM "${table}" x WHERE ${where}`,
      )
      .join(' UNION ALL ');
    const rows = await t.dataSource.query<{ name: string; hash: string }[]>(sql, [orgs, users]);
    return Object.fromEntries(rows.map((row) => [row.name, row.hash]));
  };
  const changed = (before: Record<string, string>, after: Record<string, string>): string[] =>
    Object.keys(after).filter((table) => before[table] !== after[table]);

  /**
   * A's ids other than those the request itself names (a 404 may repeat the requested id); task
   * ids are short queue sequence numbers, so only uuids are looked for.
   */
  const leakedIds = (body: unknown, named: string[]): string[] => {
    const text = JSON.stringify(body ?? '');
    return Object.entries(a)
      .filter(([, id]) => id.length >= 32 && !named.includes(id) && text.includes(id))
      .map(([key]) => key);
  };

  beforeAll(async () => {
    mediaRoot = mkdtempSync(join(tmpdir(), 'alees-walk-'));
    t = await createTestApp({
      env: { FILE_STORAGE_BACKEND: 'local', LOCAL_MEDIA_ROOT: mediaRoot },
    });
    owner = await createTenant(t);
    member = await addActor(t, owner.organization, ['Member']);
    other = await createTenant(t);
    document = (await t.http.get('/docs-json').expect(200)).body as OpenApiDoc;
    const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

    const childOrgId = await post('/organizations', {
      code: code('N'),
      name: 'Branch',
      typeCode: 'branch',
    });
    const role = await post('/roles', { name: code('Role'), permissions: ['products:read'] });
    const category = await post('/categories', { type: 'product', name: 'Teas' });
    const product = await post('/products', {
      sku: code('SKU'),
      name: 'Green tea',
      type: 'goods',
      categoryId: category,
    });
    const contact = await post('/contacts', { kind: 'company', displayName: 'Acme' });
    const warehouse = await post('/warehouses', { code: code('W'), name: 'Main' });
    const location = await post('/stock-locations', {
      warehouseId: warehouse,
      code: code('L'),
      name: 'Bin',
    });
    const stockMove = await post('/stock-moves', {
      productId: product,
      toLocationId: location,
      quantity: '5',
    });
    const taxJurisdiction = await post('/tax-jurisdictions', {
      code: code('FR'),
      name: 'France',
      countryCode: 'FR',
    });
    const taxCategory = await post('/tax-categories', { code: code('std'), name: 'Standard' });
    const taxRate = await post('/tax-rates', {
      jurisdictionId: taxJurisdiction,
      taxCategoryId: taxCategory,
      name: 'Standard FR',
      rate: '0.2',
      validFrom: '2024-01-01',
    });
    const schedule = await post('/schedules', {
      name: 'Hourly',
      taskName: 'stock.reconcile',
      intervalSeconds: 3600,
    });
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      randomBytes(500),
    ]);
    const file = created(
      await owner.post('/api/v1/files').attach('file', png, 'a.png'),
      'file upload',
    );
    const attachment = await post('/attachments', {
      fileId: file,
      entityType: 'product',
      entityId: product,
    });
    const invitation = await post('/invitations', {
      email: `${code('invitee')}@example.test`,
      roleIds: [role],
    });
    const apiKey = await post('/api-keys', { name: 'integration', roleId: role });
    const chatRoom = await post('/chat-rooms', {
      name: 'Dock',
      participantIds: [member.user.id],
    });
    await owner.post('/api/v1/notifications/broadcast').send({ title: 'Hello A' }).expect(200);
    const inbox = (await member.get('/api/v1/notifications').expect(200)).body as {
      items: { id: string }[];
    };
    await owner
      .put(`/api/v1/followers/product/${product}/me`)
      .expect((res) => expect(res.status).toBeLessThan(300));
    await owner
      .put(`/api/v1/content-translations/products/${product}`)
      .send({ translations: { fr: { name: 'Thé vert' } } })
      .expect(200);
    const pingTask = created(await owner.post('/api/v1/system/ping').send({}), 'ping');
    const exportTask = await post('/exports', { resource: 'products', format: 'csv' });
    const importTask = created(
      await owner
        .post('/api/v1/imports?resource=products&mode=commit&onConflict=fail')
        .attach('file', Buffer.from(`sku,name,description,type\n${code('I')},Imp,,goods\n`), {
          filename: 'p.csv',
          contentType: 'text/csv',
        }),
      'import',
    );
    const comment = await post('/comments', {
      entityType: 'product',
      entityId: product,
      body: 'Steep for three minutes',
    });
    await owner
      .put(`/api/v1/comments/${comment}/reactions/${encodeURIComponent('👍')}`)
      .expect((res) => expect(res.status).toBeLessThan(300));
    const activity = await post('/activities', {
      entityType: 'product',
      entityId: product,
      type: 'call',
      summary: 'Call the supplier',
      dueDate: '2030-01-31',
      assigneeUserId: member.user.id,
    });
    await owner
      .put(`/api/v1/taggings/product/${product}`)
      .send({ tags: ['Walk tag'] })
      .expect(200);
    const tag = (
      (await owner.get('/api/v1/tags?q=walk').expect(200)).body as { items: { id: string }[] }
    ).items[0].id;
    const customField = await post('/custom-fields', {
      entityType: 'product',
      key: 'grade',
      label: 'Grade',
      type: 'text',
    });
    const status = await post('/statuses', {
      code: 'on_hold',
      name: 'On hold',
      category: 'open',
      entityType: 'product',
    });
    // Shared: the strongest case (every member of A may use it; B still must not).
    const savedFilter = await post('/saved-filters', {
      resource: 'products',
      name: 'Green teas',
      filter: { field: 'name', op: 'icontains', value: 'green' },
      visibility: 'shared',
    });
    const folder = await post('/folders', { name: 'Walk folder' });
    const walkDocument = await post('/documents', {
      title: 'Walk document',
      folderId: folder,
      fileId: created(
        await owner.post('/api/v1/files').attach('file', png, 'doc.png'),
        'document file',
      ),
    });
    const shareLink = await post(`/documents/${walkDocument}/share-links`, {
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const meetingStart = new Date(Date.now() + 5 * 60_000);
    const meetingRes = await owner.post('/api/v1/meetings').send({
      title: 'Walk meeting',
      startsAt: meetingStart.toISOString(),
      endsAt: new Date(meetingStart.getTime() + 3_600_000).toISOString(),
      timezone: 'Europe/Paris',
      joinUrl: 'https://meet.example.test/walk',
      participants: [{ userId: member.user.id }],
    });
    const meeting = created(meetingRes, '/meetings');
    const meetingParticipant = (
      meetingRes.body as { participants: { id: string; role: string }[] }
    ).participants.find((p) => p.role !== 'host')!.id;
    const calendarFeedToken = await post('/me/calendar-feed-tokens', {});
    // Paused, to a public literal address: nothing is ever sent from the walk.
    const webhookSubscription = await post('/webhook-subscriptions', {
      name: 'Walk hook',
      url: 'https://93.184.216.34/hook',
      eventTypes: ['product.*'],
      status: 'paused',
    });
    const [{ id: webhookDelivery }] = await t.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (organization_id, subscription_id, event_id, event_type, payload)
       VALUES ($1, $2, gen_uuid_v7(), 'product.created', '{}') RETURNING id`,
      [owner.organization.id, webhookSubscription],
    );
    const [ownerRole] = await t.dataSource.query<{ id: string }[]>(
      `SELECT id FROM roles WHERE organization_id IS NULL AND name = 'Owner'`,
    );
    const workflow = await post('/workflows', {
      entityType: 'product',
      name: 'Walk approval',
      states: [
        { code: 'draft', isInitial: true, editRoleIds: [ownerRole.id] },
        { code: 'active', isFinal: true, editRoleIds: [ownerRole.id] },
      ],
      transitions: [{ action: 'go', from: 'draft', to: 'active' }],
    });
    await owner.post(`/api/v1/workflows/${workflow}/activate`).expect(200);
    const automationRule = await post('/automation-rules', {
      name: 'Tag active teas',
      entityType: 'product',
      trigger: { type: 'field.changed', field: 'status', to: 'active' },
      actions: [{ type: 'add_tag', params: { names: ['live'] } }],
    });
    const automationRun = (
      (await owner.post(`/api/v1/automation-rules/${automationRule}/run`).send({}).expect(202))
        .body as { runId: string }
    ).runId;
    const memberships = (
      await owner.get(`/api/v1/memberships?userId=${member.user.id}`).expect(200)
    ).body as { items: { id: string }[] };
    const sessions = (await owner.get('/api/v1/auth/me/sessions').expect(200)).body as {
      id: string;
    }[];
    a = {
      orgId: owner.organization.id,
      childOrgId,
      ownerUserId: owner.user.id,
      memberUserId: member.user.id,
      memberMembershipId: memberships.items[0].id,
      sessionId: sessions[0].id,
      product,
      contact,
      category,
      warehouse,
      location,
      stockMove,
      taxJurisdiction,
      taxCategory,
      taxRate,
      schedule,
      file,
      attachment,
      role,
      invitation,
      apiKey,
      chatRoom,
      notification: inbox.items[0].id,
      pingTask,
      exportTask,
      importTask,
      comment,
      activity,
      tag,
      customField,
      status,
      savedFilter,
      folder,
      document: walkDocument,
      shareLink,
      meeting,
      meetingParticipant,
      calendarFeedToken,
      webhookSubscription,
      webhookDelivery,
      workflow,
      automationRule,
      automationRun,
    };

    b = {
      product: await post('/products', { sku: code('B'), name: 'B tea', type: 'goods' }, other),
      chatRoom: await post('/chat-rooms', { name: 'B room' }, other),
      webhookSubscription: await post(
        '/webhook-subscriptions',
        {
          name: 'B hook',
          url: 'https://93.184.216.34/b',
          eventTypes: ['product.*'],
          status: 'paused',
        },
        other,
      ),
    };

    const columns = await t.dataSource.query<{ table_name: string; column_name: string }[]>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.column_name IN ('organization_id', 'user_id')`,
    );
    const withColumn = (name: string) =>
      new Set(columns.filter((c) => c.column_name === name).map((c) => c.table_name));
    const orgTables = withColumn('organization_id');
    tenantTables = [...orgTables].sort();
    userTables = [...withColumn('user_id')].filter((table) => !orgTables.has(table)).sort();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(mediaRoot, { recursive: true, force: true });
  });

  it('has a fixture or a stated exemption for every parameterised route', () => {
    const templates = new Set(
      appRoutes(t)
        .filter((route) => route.path.includes(':'))
        .map((route) => route.path),
    );
    const missing = [...templates]
      .filter((path) => !(path in PATH_FIXTURES) && !(path in EXEMPT))
      .map((path) => {
        const methods = appRoutes(t)
          .filter((route) => route.path === path)
          .map((route) => route.method);
        return `no cross-tenant fixture for ${methods.join(',')} ${path}`;
      });
    expect(missing).toEqual([]);
    // Each fixture set names every parameter of its template, with a value.
    const types = t.app.get(TargetRegistry).types();
    const incomplete = Object.entries(PATH_FIXTURES).flatMap(([path, fixture]) =>
      fixture(a, types).flatMap((params) =>
        paramNames(path)
          .filter((name) => !params[name])
          .map((name) => `${path}: no value for :${name}`),
      ),
    );
    expect(incomplete).toEqual([]);
    // Entries for routes that no longer exist would hide nothing but mislead: keep the maps exact.
    const stale = [...Object.keys(PATH_FIXTURES), ...Object.keys(EXEMPT)].filter(
      (path) => !templates.has(path),
    );
    expect(stale).toEqual([]);
    const refusedStale = Object.keys(REFUSED_FOR_B).filter(
      (key) => !appRoutes(t).some((route) => `${route.method} ${route.path}` === key),
    );
    expect(refusedStale).toEqual([]);
  });

  it('has a record for every registered target type and translatable type', () => {
    const types = t.app.get(TargetRegistry).types();
    expect(types.filter((type) => !(type in TARGETS))).toEqual([]);
    const translatable = (
      (
        (document.paths['/api/v1/content-translations/{type}/{id}']?.get?.parameters ?? []) as {
          name: string;
          schema?: { enum?: string[] };
        }[]
      ).find((p) => p.name === 'type')?.schema?.enum ?? []
    ).filter((type) => !(type in TRANSLATABLE));
    expect(translatable).toEqual([]);
  });

  it('A’s own owner reaches every fixture (the ids are real, readable records)', async () => {
    const types = t.app.get(TargetRegistry).types();
    const failures: string[] = [];
    for (const route of appRoutes(t)) {
      if (route.method !== 'GET' || !(route.path in PATH_FIXTURES)) continue;
      for (const params of PATH_FIXTURES[route.path](a, types)) {
        const url = `/api/v1${fill(route.path, params)}`;
        const res = await owner.get(url);
        if (res.status !== 200) failures.push(`GET ${url} → ${res.status}`);
        const etag = res.headers.etag as string | undefined;
        if (etag) etags.set(url, etag);
      }
    }
    expect(failures).toEqual([]);
    expect(etags.size).toBeGreaterThan(10);
  }, 60_000);

  it('answers 404 (or the listed 403) to org B on every record route, leaks nothing and writes nothing of A’s', async () => {
    const types = t.app.get(TargetRegistry).types();
    // Settle: nothing of A's moves on its own before the walk starts.
    let before = await snapshotA();
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const again = await snapshotA();
      if (changed(before, again).length === 0) break;
      before = again;
    }
    const problems: string[] = [];
    let calls = 0;
    for (const route of appRoutes(t)) {
      // A route without a fixture is reported by the completeness test above.
      if (!(route.path in PATH_FIXTURES)) continue;
      const key = `${route.method} ${route.path}`;
      const expected = key in REFUSED_FOR_B ? 403 : 404;
      const schema = requestSchema(document, route.method, documented(route.path));
      for (const params of PATH_FIXTURES[route.path](a, types)) {
        const url = `/api/v1${fill(route.path, params)}`;
        const request = other.request(route.method.toLowerCase() as 'get', url);
        if (['PATCH', 'PUT', 'DELETE', 'POST'].includes(route.method)) {
          request.set('If-Match', etags.get(url) ?? '"1"');
        }
        if (route.method === 'POST') request.set('Idempotency-Key', randomUUID());
        const body = schema
          ? { ...(sampleRequestBody(document, schema) as object), ...BODY_FOR_B[key]?.(other) }
          : undefined;
        const res = body ? await request.send(body) : await request;
        calls++;
        const after = await snapshotA();
        const code = (res.body as Envelope).errors?.[0]?.code;
        if (res.status !== expected) {
          problems.push(
            `${route.method} ${url} → ${res.status} ${code ?? ''} (expected ${expected})`,
          );
        } else if (expected === 404 && code !== 'not_found') {
          problems.push(`${route.method} ${url} → 404 with code ${code}, not not_found`);
        }
        const leaked = leakedIds(res.body, Object.values(params));
        if (leaked.length) problems.push(`${route.method} ${url} leaks A’s ${leaked.join(', ')}`);
        const touched = changed(before, after);
        if (touched.length) {
          problems.push(`${route.method} ${url} changed A’s rows in ${touched.join(', ')}`);
          before = after;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(80);
    // The snapshot is not blind: A's own change shows up in it.
    const url = `/api/v1/contacts/${a.contact}`;
    await owner
      .patch(url)
      .set('If-Match', etags.get(url) ?? '')
      .send({ displayName: 'Acme Renamed' })
      .expect(200);
    expect(changed(before, await snapshotA())).toEqual(expect.arrayContaining(['contacts']));
  }, 60_000);

  it('refuses (404 or 422) org B’s creations that reference A’s records in the body', async () => {
    // Not complete by construction like the path walk: the creates whose body names a record,
    // each with the field a 422 must point at (the reference, not some other validation).
    const creates: [string, Record<string, unknown>, string][] = [
      ['/attachments', { fileId: a.file, entityType: 'product', entityId: b.product }, '/fileId'],
      ['/comments', { entityType: 'product', entityId: a.product, body: 'Hi' }, '/entityId'],
      [
        '/activities',
        {
          entityType: 'product',
          entityId: a.product,
          type: 'todo',
          summary: 'x',
          dueDate: '2030-01-01',
        },
        '/entityId',
      ],
      [
        '/stock-moves',
        { productId: a.product, toLocationId: a.location, quantity: '1' },
        '/productId',
      ],
      [
        '/products',
        { sku: `X-${randomUUID().slice(0, 8)}`, name: 'X', type: 'goods', categoryId: a.category },
        '/categoryId',
      ],
      ['/stock-locations', { warehouseId: a.warehouse, code: 'X1', name: 'X' }, '/warehouseId'],
      [
        '/tax-rates',
        {
          jurisdictionId: a.taxJurisdiction,
          taxCategoryId: a.taxCategory,
          name: 'X',
          rate: '0.1',
          validFrom: '2024-01-01',
        },
        '/jurisdictionId',
      ],
      ['/api-keys', { name: 'x', roleId: a.role }, '/roleId'],
      ['/invitations', { email: `${randomUUID()}@example.test`, roleIds: [a.role] }, '/roleIds'],
      ['/chat-rooms', { name: 'x', participantIds: [a.memberUserId] }, '/participantIds'],
      ['/notifications/broadcast', { title: 'x', roleId: a.role }, '/roleId'],
      ['/documents', { title: 'x', fileId: a.file }, '/fileId'],
      ['/folders', { name: 'x', parentId: a.folder }, '/parentId'],
    ];
    const before = await snapshotA();
    const problems: string[] = [];
    for (const [url, body, pointer] of creates) {
      const res = await other.post(`/api/v1${url}`).send(body);
      const error = (res.body as { errors?: { code: string; source?: { pointer?: string } }[] })
        .errors?.[0];
      const refused =
        res.status === 404 ||
        (res.status === 422 &&
          error?.code !== 'validation_error' &&
          (error?.source?.pointer ?? '').startsWith(pointer));
      if (!refused) {
        problems.push(
          `POST ${url} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(error)}`,
        );
      }
      const leaked = leakedIds(res.body, Object.values(body).flat() as string[]);
      if (leaked.length) problems.push(`POST ${url} leaks A’s ${leaked.join(', ')}`);
    }
    expect(problems).toEqual([]);
    expect(changed(before, await snapshotA())).toEqual([]);
  });

  it('gives org B a 404 or an empty list when a list filter names a record of A', async () => {
    const problems: string[] = [];
    let calls = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      const operation = item.get as
        { parameters?: { in: string; name: string; schema?: { format?: string } }[] } | undefined;
      const named = (operation?.parameters ?? [])
        .filter(
          (p) =>
            p.in === 'query' &&
            p.name !== 'cursor' &&
            // Every list takes ?savedFilterId=: walked once per list below.
            p.name !== 'savedFilterId' &&
            (/Id$/.test(p.name) || p.schema?.format === 'uuid'),
        )
        .map((p) => p.name);
      if (named.length === 0) continue;
      const template = path.replace(/^\/api\/v1/, '');
      for (const name of named) {
        const fixture = QUERY_FIXTURES[template]?.[name];
        if (!fixture) {
          problems.push(`no cross-tenant fixture for GET ${template}?${name}`);
          continue;
        }
        const query = fixture(a, b);
        const url = `${path}?${new URLSearchParams(query).toString()}`;
        const res = await other.get(url);
        calls++;
        const items = (res.body as { items?: unknown[] }).items ?? (res.body as unknown[]);
        if (res.status === 200 && !(Array.isArray(items) && items.length === 0)) {
          problems.push(`GET ${url} → 200 with rows: ${JSON.stringify(res.body).slice(0, 200)}`);
        } else if (res.status !== 200 && res.status !== 404) {
          problems.push(`GET ${url} → ${res.status} (expected 404 or an empty list)`);
        }
        const leaked = leakedIds(res.body, Object.values(query));
        if (leaked.length) problems.push(`GET ${url} leaks A’s ${leaked.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(15);
    // The same filters find A's rows for A (the fixtures are not vacuous).
    const own = await owner.get(`/api/v1/attachments?entityType=product&entityId=${a.product}`);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).toContain(a.attachment);
  }, 60_000);

  it('answers org B 404 for A’s (shared) saved filter as ?savedFilterId= on every list', async () => {
    const problems: string[] = [];
    let lists = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      const operation = item.get as { parameters?: { in: string; name: string }[] } | undefined;
      if (!operation?.parameters?.some((p) => p.in === 'query' && p.name === 'savedFilterId'))
        continue;
      const template = path.replace(/^\/api\/v1/, '');
      const pathParams = LIST_PATH_FOR_B[template]?.(b);
      if (path.includes('{') && !pathParams) {
        problems.push(`no list path fixture of B for ${template}`);
        continue;
      }
      const concrete = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) =>
        encodeURIComponent(pathParams?.[name] ?? name),
      );
      lists++;
      const res = await other.get(`${concrete}?savedFilterId=${a.savedFilter}`);
      if (res.status !== 404) problems.push(`GET ${concrete}?savedFilterId → ${res.status}`);
      const leaked = leakedIds(res.body, [a.savedFilter]);
      if (leaked.length)
        problems.push(`GET ${concrete}?savedFilterId leaks A’s ${leaked.join(', ')}`);
    }
    // A itself may use it (the fixture is not vacuous).
    await owner.get(`/api/v1/products?savedFilterId=${a.savedFilter}`).expect(200);
    expect(problems).toEqual([]);
    expect(lists).toBeGreaterThan(20);
  });
});
