import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import type { DataSource } from 'typeorm';
import { Actor, addActor, createTenant } from './auth';
import { expectTenantIsolation } from './tenant-isolation';
import type { TestApp } from './test-app';

type Body = Record<string, unknown>;
interface Envelope {
  errors: { status: string; code: string; source?: { pointer?: string } }[];
}

/** The actors a contract runs with; built in the spec's `beforeAll`. */
export interface ContractActors {
  t: TestApp;
  /** Holds every permission the resource needs (a tenant Owner, or a superuser for global data). */
  writer: Actor;
  /** Holds the read permission only: writes are 403. */
  reader: Actor;
  /** Holds no permission of the resource: reads are 403 too. */
  stranger: Actor;
  /** An Owner of another organization (tenant resources only). */
  otherTenant?: Actor;
}

/** What the shared CRUD contract needs to know about one resource. */
export interface ResourceContract {
  /** Collection URL, e.g. `/api/v1/warehouses`. */
  url: string | (() => string);
  /** The natural key when it is not `id` (currencies, units). */
  key?: string;
  /** The table rows are written to, to prove a refused write wrote nothing. */
  table: string;
  /** `audit_logs.entity_type` of this resource. */
  auditType: string;
  /** A valid, unique creation body (called once per create). */
  create: () => Body;
  /** A body that must fail validation, and the JSON pointers the 422 must name. */
  invalid: { body: Body; pointers: string[] };
  /** A valid PATCH body and what the updated resource must then contain. */
  update: { body: Body; expect: Body };
  /** Filters that must find a created row in the list: `(created) => '?q=...'`. */
  listFilter?: (created: Body) => string;
  /** A field the API document marks non-nullable, to prove `null` on it is a 422; default `name`. */
  notNullField?: string;
  /** False when the resource has no DELETE route. */
  deletable?: boolean;
  /** Global reference data (the same for every tenant): no tenant-isolation case. */
  global?: boolean;
  /**
   * Fields only the creation answers (a webhook's signing secret): a read must not carry them, and
   * the read equals the creation answer without them.
   */
  createOnly?: string[];
}

const urlOf = (spec: ResourceContract) => (typeof spec.url === 'function' ? spec.url() : spec.url);
const codes = (res: { body: unknown }) => (res.body as Envelope).errors.map((e) => e.code);

/** Counts SQL statements run in this process while `work` runs (the app runs in-process). */
/**
 * The SQL statements `work` sends through the app's pool. `dataSource`: count only that one's —
 * a worker started in the same process (its outbox relay and audit sealer poll every 200 ms)
 * would otherwise add its own statements to the window.
 */
export async function countQueries(
  work: () => Promise<unknown>,
  dataSource?: DataSource,
): Promise<number> {
  const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
  try {
    spy.mockClear();
    await work();
    if (!dataSource) return spy.mock.calls.length;
    return spy.mock.contexts.filter(
      (runner) => (runner as PostgresQueryRunner).connection === dataSource,
    ).length;
  } finally {
    spy.mockRestore();
  }
}

/**
 * The contract every resource keeps (SPEC §4, §5, §10): CRUD with Location, ETag and If-Match;
 * 422 with pointers and nothing written; 403 without the permission; one of two PATCHes sent with
 * the same If-Match wins; lists run a constant number of queries; audit rows in the same
 * transaction; and, for tenant data, another organization sees 404.
 */
export function describeResourceContract(
  actors: () => ContractActors,
  spec: ResourceContract,
): void {
  const key = spec.key ?? 'id';
  const create = async (actor: Actor): Promise<Body> => {
    const res = await actor.post(urlOf(spec)).send(spec.create());
    if (res.status !== 201)
      throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Body;
  };
  const itemUrl = (row: Body) => `${urlOf(spec)}/${encodeURIComponent(String(row[key]))}`;
  const count = async () => {
    const [{ n }] = await actors().t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${spec.table}"`,
    );
    return n;
  };
  const auditActions = async (row: Body) => {
    const rows = await actors().t.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_logs WHERE entity_type = $1
          AND (entity_id::text = $2 OR changes->>'code' = $2) ORDER BY created_at, id`,
      [spec.auditType, String(row[key])],
    );
    return rows.map((r) => r.action);
  };

  it('creates (201 + Location), reads with ETag, lists, updates with If-Match, deletes; all audited', async () => {
    const { writer } = actors();
    const body = spec.create();
    const created = await writer.post(urlOf(spec)).send(body);
    expect(created.status).toBe(201);
    const row = created.body as Body;
    expect(created.headers.location).toBe(itemUrl(row));
    expect(row).toMatchObject({ version: 1 });

    const read = await writer.get(itemUrl(row));
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    const readable = { ...row };
    for (const field of spec.createOnly ?? []) {
      expect(row).toHaveProperty(field);
      expect(read.body).not.toHaveProperty(field);
      delete readable[field];
    }
    expect(read.body).toEqual(readable);

    const filter = spec.listFilter?.(row) ?? '';
    const list = await writer.get(`${urlOf(spec)}${filter}${filter ? '&' : '?'}size=100`);
    expect(list.status).toBe(200);
    expect((list.body as { items: Body[] }).items.map((i) => i[key])).toContain(row[key]);

    const stale = await writer.patch(itemUrl(row)).set('If-Match', '"99"').send(spec.update.body);
    expect(stale.status).toBe(412);
    const updated = await writer.patch(itemUrl(row)).set('If-Match', '"1"').send(spec.update.body);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ ...spec.update.expect, version: 2 });
    expect(updated.headers.etag).toBe('"2"');

    const expected = ['create', 'update'];
    if (spec.deletable !== false) {
      expect((await writer.delete(itemUrl(row)).set('If-Match', '"1"')).status).toBe(412);
      expect((await writer.delete(itemUrl(row)).set('If-Match', '"2"')).status).toBe(204);
      expect((await writer.get(itemUrl(row))).status).toBe(404);
      expected.push('delete');
    }
    expect(await auditActions(row)).toEqual(expected);
  });

  it('refuses bad input with 422, a pointer per field, and writes nothing', async () => {
    const { writer } = actors();
    const before = await count();
    const res = await writer.post(urlOf(spec)).send(spec.invalid.body);
    expect(res.status).toBe(422);
    const pointers = (res.body as Envelope).errors.map((e) => e.source?.pointer);
    expect(pointers.sort()).toEqual(expect.arrayContaining([...spec.invalid.pointers].sort()));
    expect(new Set(codes(res))).toEqual(new Set(['validation_error']));
    const unknown = await writer.post(urlOf(spec)).send({ ...spec.create(), hacker: true });
    expect(unknown.status).toBe(422);
    expect((unknown.body as Envelope).errors[0].source?.pointer).toBe('/hacker');
    expect(await count()).toBe(before);
  });

  it('refuses control characters in body strings, query strings and headers (422 naming each), writing nothing', async () => {
    const { writer, t } = actors();
    const before = await count();
    const body = spec.create();
    const stringFields = Object.keys(body).filter((field) => typeof body[field] === 'string');
    const poisoned = Object.fromEntries(
      Object.entries(body).map(([field, value]) => [
        field,
        typeof value === 'string' ? `${value}\u0000` : value,
      ]),
    );
    const res = await writer.post(urlOf(spec)).send(poisoned);
    expect(res.status).toBe(422);
    expect(new Set(codes(res))).toEqual(new Set(['validation_error']));
    expect((res.body as Envelope).errors.map((e) => e.source?.pointer)).toEqual(
      expect.arrayContaining(stringFields.map((field) => `/${field}`)),
    );

    const list = await writer.get(`${urlOf(spec)}?q=a%00b`);
    expect(list.status).toBe(422);
    expect(list.body).toMatchObject({
      errors: [{ code: 'validation_error', source: { parameter: 'q' } }],
    });
    const item = await writer.get(`${urlOf(spec)}/a%1Fb`);
    expect(item.status).toBe(422);
    expect((item.body as Envelope).errors[0].source).toEqual({ parameter: key });

    // (Node's HTTP client refuses control characters in headers: inject the request instead)
    const header = await t.app.inject({
      method: 'POST',
      url: urlOf(spec),
      headers: {
        ...writer.headers,
        'content-type': 'application/json',
        'idempotency-key': 'k\u0000',
      },
      payload: JSON.stringify(spec.create()),
    });
    expect(header.statusCode).toBe(422);
    expect(header.json()).toMatchObject({
      errors: [{ code: 'validation_error', source: { header: 'idempotency-key' } }],
    });
    expect(await count()).toBe(before);
  });

  it('a PATCH that changes nothing keeps the version and audits nothing; null on a non-nullable field or a non-object body is 422', async () => {
    const { writer } = actors();
    const row = await create(writer);
    const field = spec.notNullField ?? 'name';
    const audits = (await auditActions(row)).length;
    const empty = await writer.patch(itemUrl(row)).set('If-Match', '"1"').send({});
    expect(empty.status).toBe(200);
    expect(empty.headers.etag).toBe('"1"');
    expect(empty.body).toEqual((await writer.get(itemUrl(row))).body);
    expect(empty.body).toMatchObject({ version: 1 });

    await writer.patch(itemUrl(row)).set('If-Match', '"1"').send(spec.update.body).expect(200);
    const again = await writer.patch(itemUrl(row)).set('If-Match', '"2"').send(spec.update.body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ...spec.update.expect, version: 2 });
    expect(again.headers.etag).toBe('"2"');
    expect(await auditActions(row)).toHaveLength(audits + 1);

    const nulled = await writer.patch(itemUrl(row)).send({ [field]: null });
    expect(nulled.status).toBe(422);
    expect((nulled.body as Envelope).errors.map((e) => e.source?.pointer)).toEqual([`/${field}`]);
    for (const body of ['null', '[]', '"x"', '7']) {
      const res = await writer
        .patch(itemUrl(row))
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status).toBe(422);
      expect(codes(res)).toEqual(['validation_error']);
    }
    expect((await writer.get(itemUrl(row))).body).toMatchObject({ version: 2 });
    expect(await auditActions(row)).toHaveLength(audits + 1);
    // Frees a unique value the update body set (sibling names), for the next case.
    if (spec.deletable !== false) await writer.delete(itemUrl(row)).expect(204);
  });

  it('two PATCHes with the same If-Match: one 200, one 412', async () => {
    const { writer } = actors();
    const row = await create(writer);
    const results = await Promise.all(
      [0, 1].map(() => writer.patch(itemUrl(row)).set('If-Match', '"1"').send(spec.update.body)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    expect((await writer.get(itemUrl(row))).body).toMatchObject({ version: 2 });
  });

  it('answers 403 without the permission, and writes nothing', async () => {
    const { writer, reader, stranger } = actors();
    const row = await create(writer);
    const before = await count();
    expect((await reader.get(itemUrl(row))).status).toBe(200);
    const refused = [
      await reader.post(urlOf(spec)).send(spec.create()),
      await reader.patch(itemUrl(row)).send(spec.update.body),
      await stranger.get(itemUrl(row)),
      await stranger.get(urlOf(spec)),
    ];
    if (spec.deletable !== false) refused.push(await reader.delete(itemUrl(row)));
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(codes(res)).toEqual(['forbidden']);
    }
    expect(await count()).toBe(before);
    expect((await writer.get(itemUrl(row))).body).toMatchObject({ version: 1 });
  });

  it('runs the same number of queries for a page of 1 and a page of 3 (no N+1)', async () => {
    const { writer } = actors();
    for (let i = 0; i < 3; i += 1) await create(writer);
    await writer.get(`${urlOf(spec)}?size=2`).expect(200); // warm any cached total: compare like with like
    const { t } = actors();
    const one = await countQueries(
      () => writer.get(`${urlOf(spec)}?size=1`).expect(200),
      t.dataSource,
    );
    const three = await countQueries(async () => {
      const res = await writer.get(`${urlOf(spec)}?size=3`).expect(200);
      expect((res.body as { items: unknown[] }).items).toHaveLength(3);
    }, t.dataSource);
    expect(three).toBe(one);
  });

  if (spec.global) return;
  it('is invisible to another organization (404), which cannot switch into this one (403)', async () => {
    const { writer, otherTenant } = actors();
    if (!otherTenant) throw new Error('a tenant resource contract needs otherTenant');
    await expectTenantIsolation(
      {
        create: async (owner) => String((await create(owner))[key]),
        itemUrl: (id) => `${urlOf(spec)}/${id}`,
        listUrl: `${urlOf(spec)}?size=100`,
        patch: spec.update.body,
        deletable: spec.deletable !== false,
      },
      writer,
      otherTenant,
    );
  });
}

/**
 * Owner, a reader (Viewer unless the resource is readable by another role only) and a role-less
 * member of one new organization, and an Owner of another.
 */
export async function tenantActors(
  t: TestApp,
  readerRoles: string[] = ['Viewer'],
): Promise<Required<ContractActors>> {
  const writer = await createTenant(t);
  return {
    t,
    writer,
    reader: await addActor(t, writer.organization, readerRoles),
    stranger: await addActor(t, writer.organization, []),
    otherTenant: await createTenant(t),
  };
}
