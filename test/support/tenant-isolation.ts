import type { Actor } from './auth';

export interface TenantIsolationSpec {
  /** Creates one row owned by `owner`'s organization; returns its id. */
  create(owner: Actor): Promise<string>;
  /** `/api/v1/things/:id`-style URL of one row. */
  itemUrl(id: string): string;
  /** The list URL; the row must not appear in its `items`. */
  listUrl?: string;
  /** A valid PATCH body (omit when the resource has no PATCH). */
  patch?: Record<string, unknown>;
  /** Whether DELETE exists on the item URL. */
  deletable?: boolean;
  /** Extra item-level routes (e.g. `${url}/archive`) that must also be 404. */
  extraPosts?: (id: string) => string[];
}

/**
 * The reusable proof of tenant isolation (SPEC §5): a row of org A is invisible to a user of org B
 * holding every permission — 404 on read, update, delete and sub-routes, absent from lists — and
 * B cannot switch into A with X-Organization-Id (403). Then A still reads it unchanged.
 */
export async function expectTenantIsolation(
  spec: TenantIsolationSpec,
  a: Actor,
  b: Actor,
): Promise<void> {
  const id = await spec.create(a);
  const url = spec.itemUrl(id);
  const before = await a.get(url);
  expect(before.status).toBe(200);

  const read = await b.get(url);
  expect({
    status: read.status,
    code: (read.body as { errors?: { code: string }[] }).errors?.[0]?.code,
  }).toEqual({
    status: 404,
    code: 'not_found',
  });
  if (spec.patch) expect((await b.patch(url).send(spec.patch)).status).toBe(404);
  if (spec.deletable) expect((await b.delete(url)).status).toBe(404);
  for (const extra of spec.extraPosts?.(id) ?? [])
    expect((await b.post(extra).send({})).status).toBe(404);
  if (spec.listUrl) {
    const list = await b.get(spec.listUrl);
    expect(list.status).toBe(200);
    const ids = (list.body as { items: { id: string }[] }).items.map((item) => item.id);
    expect(ids).not.toContain(id);
  }
  const switched = await b.get(url).set('X-Organization-Id', a.organization.id);
  expect(switched.status).toBe(403);

  const after = await a.get(url);
  expect(after.status).toBe(200);
  expect(after.body).toEqual(before.body);
}
