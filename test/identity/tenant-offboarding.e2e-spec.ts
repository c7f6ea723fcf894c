import type { INestApplicationContext } from '@nestjs/common';
import JSZip from 'jszip';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Response } from 'supertest';
import { createOrganization } from '../factories/identity.factory';
import { Actor, actorFor, createTenant } from '../support/auth';
import { DomainEventsRelay } from '../../src/modules/domain-events';
import { createTestApp, TestApp } from '../support/test-app';

interface Task<R> {
  state: string;
  result: R;
  error: unknown;
}
interface ExportResult {
  tenantId: string;
  fileId: string;
  organizations: number;
  tables: Record<string, number>;
}

const binary = (res: Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

/** Rows of every tenant table (any table with organization_id) that belong to `orgIds`. */
async function tenantRowCounts(t: TestApp, orgIds: string[]): Promise<Record<string, number>> {
  const tables = await t.dataSource.query<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'organization_id' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ n }] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${table_name}" WHERE organization_id = ANY ($1::uuid[])`,
      [orgIds],
    );
    if (n > 0) counts[table_name] = n;
  }
  return counts;
}

describe('tenant offboarding: export everything, then delete', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let mediaRoot: string;
  let operator: Actor; // a superuser, Owner of the platform's own organization
  let owner: Actor; // Owner of the tenant being offboarded
  let other: Actor; // Owner of another tenant that must stay untouched
  let childId: string;

  const asTenant = (actor: Actor, tenantId: string) => ({
    ...actor.headers,
    'X-Organization-Id': tenantId,
  });

  /** Products, a category, a warehouse + location + stock move, a contact and a file, through the API. */
  async function seedBusinessData(actor: Actor, orgId = actor.organization.id): Promise<void> {
    const headers = asTenant(actor, orgId);
    const post = async (url: string, body: Record<string, unknown>): Promise<string> => {
      const res = await t.http.post(url).set(headers).send(body);
      if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body as { id: string }).id;
    };
    const suffix = orgId.slice(-6);
    const categoryId = await post('/api/v1/categories', { name: 'Teas', type: 'product' });
    const productId = await post('/api/v1/products', {
      sku: `SKU-${suffix}`,
      name: 'Green tea',
      description: '',
      type: 'goods',
      categoryId,
    });
    const warehouseId = await post('/api/v1/warehouses', { code: `WH-${suffix}`, name: 'Main' });
    const locationId = await post('/api/v1/stock-locations', {
      warehouseId,
      code: `L-${suffix}`,
      name: 'Bin',
    });
    await post('/api/v1/stock-moves', { productId, toLocationId: locationId, quantity: '10' });
    await post('/api/v1/contacts', { kind: 'person', displayName: 'Ada Lovelace' });
    const upload = await t.http
      .post('/api/v1/files')
      .set(headers)
      .attach('file', Buffer.from('hello,world\n'), { filename: 'a.csv', contentType: 'text/csv' });
    if (upload.status !== 201)
      throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body)}`);
  }

  beforeAll(async () => {
    mediaRoot = mkdtempSync(join(tmpdir(), 'alees-offboard-'));
    t = await createTestApp({
      env: { FILE_STORAGE_BACKEND: 'local', LOCAL_MEDIA_ROOT: mediaRoot },
    });
    worker = await t.startWorker();
    const platform = await createTenant(t);
    await t.dataSource.query('UPDATE users SET is_superuser = true WHERE id = $1', [
      platform.user.id,
    ]);
    operator = platform;
    owner = await createTenant(t);
    other = await createTenant(t);
    childId = (await createOrganization(t.dataSource, { parent: owner.organization })).id;
    await seedBusinessData(owner);
    await seedBusinessData(owner, childId); // the Owner's membership applies to descendants
    await seedBusinessData(other);
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(mediaRoot, { recursive: true, force: true });
  });

  const finish = async <R>(taskId: string, tenantId: string): Promise<R> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (
        await t.http.get(`/api/v1/tasks/${taskId}`).set(asTenant(operator, tenantId)).expect(200)
      ).body as Task<R>;
      if (task.state === 'completed') return task.result;
      if (task.state === 'failed') throw new Error(`task failed: ${JSON.stringify(task.error)}`);
      if (Date.now() > deadline) throw new Error('task did not finish');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('refuses tenant owners and other tenants’ owners (403), and is 404 for a non-root or unknown id', async () => {
    const tenantId = owner.organization.id;
    for (const actor of [owner, other]) {
      const exported = await t.http
        .post(`/api/v1/tenants/${tenantId}/exports`)
        .set(asTenant(actor, actor.organization.id));
      expect(exported.status).toBe(403);
      const deleted = await t.http
        .delete(`/api/v1/tenants/${tenantId}?confirm=${owner.organization.code}`)
        .set(asTenant(actor, actor.organization.id));
      expect(deleted.status).toBe(403);
    }
    for (const id of [childId, uuidv7()]) {
      const exported = await operator.post(`/api/v1/tenants/${id}/exports`);
      expect(exported.status).toBe(404);
      expect((exported.body as { errors: { code: string }[] }).errors[0].code).toBe('not_found');
      const deleted = await operator.delete(`/api/v1/tenants/${id}?confirm=whatever`);
      expect(deleted.status).toBe(404);
    }
    expect((await operator.post('/api/v1/tenants/not-a-uuid/exports')).status).toBe(400);
    expect(await tenantRowCounts(t, [tenantId])).toHaveProperty('products', 1);
  });

  it('exports every table of the subtree into one ZIP, without secrets and without other tenants', async () => {
    const tenantId = owner.organization.id;
    const started = await operator.post(`/api/v1/tenants/${tenantId}/exports`).expect(202);
    const result = await finish<ExportResult>(
      (started.body as { taskId: string }).taskId,
      tenantId,
    );
    expect(result.tenantId).toBe(tenantId);
    expect(result.organizations).toBe(2);
    expect(result.tables).toMatchObject({
      organizations: 2,
      products: 2,
      stock_moves: 2,
      warehouses: 2,
      contacts: 2,
      categories: 2,
      memberships: 1,
      users: 1,
    });
    // The export itself was stored after the snapshot: the two uploads are in it, not the archive.
    expect(result.tables.stored_files).toBe(2);

    const download = await t.http
      .get(`/api/v1/files/${result.fileId}/content`)
      .set(asTenant(operator, tenantId))
      .buffer(true)
      .parse(binary)
      .expect(200);
    const zip = await JSZip.loadAsync(download.body as Buffer);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as {
      tenant: { id: string };
      tables: Record<string, number>;
    };
    expect(manifest.tenant.id).toBe(tenantId);
    expect(manifest.tables).toEqual(result.tables);
    const products = await zip.file('products.csv')!.async('string');
    const lines = products.trim().split('\n');
    expect(lines).toHaveLength(3); // header + the root's and the child's product
    expect(lines[0].split(',')).toEqual(expect.arrayContaining(['id', 'sku', 'organization_id']));
    expect(products).toContain(tenantId);
    expect(products).toContain(childId);
    expect(products).not.toContain(other.organization.id);
    // Empty text stays an empty quoted field, distinct from NULL.
    expect(products).toContain('""');
    const users = await zip.file('users.csv')!.async('string');
    expect(users).toContain(owner.user.email);
    expect(users).not.toContain(other.user.email);
    expect(users.split('\n')[0]).not.toMatch(/password_hash|totp_secret/);
    const apiKeysHeader = (await zip.file('api_keys.csv')!.async('string')).split('\n')[0];
    expect(apiKeysHeader).not.toContain('key_hash');
    expect(zip.file('domain_events.csv')).toBeNull();
    expect(zip.file('audit_logs.csv')).not.toBeNull();
  });

  it('deletes the tenant with its subtree in one transaction, after the code is confirmed', async () => {
    const tenantId = owner.organization.id;
    const subtree = [tenantId, childId];
    // Counts include domain_events: settle it first so the relay cannot change it under the test.
    await worker.get(DomainEventsRelay).flush();
    const before = await tenantRowCounts(t, subtree);
    expect(before).toMatchObject({ products: 2, stock_moves: 2, audit_logs: expect.any(Number) });
    const othersBefore = await tenantRowCounts(t, [other.organization.id]);
    const files = await t.dataSource.query<{ storage_key: string }[]>(
      'SELECT storage_key FROM stored_files WHERE organization_id = ANY ($1::uuid[])',
      [subtree],
    );
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const { storage_key } of files)
      expect(existsSync(join(mediaRoot, storage_key))).toBe(true);

    for (const query of ['', '?confirm=', `?confirm=${owner.organization.code.toLowerCase()}x`]) {
      const refused = await operator.delete(`/api/v1/tenants/${tenantId}${query}`);
      expect(refused.status).toBe(422);
      expect((refused.body as { errors: { source: unknown }[] }).errors[0].source).toEqual({
        parameter: 'confirm',
      });
    }
    expect(await tenantRowCounts(t, subtree)).toEqual(before);

    await operator
      .delete(`/api/v1/tenants/${tenantId}?confirm=${encodeURIComponent(owner.organization.code)}`)
      .expect(204);

    // The purge published one `<type>.deleted` event per product and contact (the erasure of an
    // external index's documents) and left them to the relay, which has delivered them once
    // flush() returns.
    await worker.get(DomainEventsRelay).flush();
    expect(await tenantRowCounts(t, subtree)).toEqual({});
    const orgs = await t.dataSource.query(
      'SELECT id FROM organizations WHERE id = ANY ($1::uuid[])',
      [subtree],
    );
    expect(orgs).toEqual([]);
    for (const { storage_key } of files)
      expect(existsSync(join(mediaRoot, storage_key))).toBe(false);
    // The other tenant is untouched, and its audit chain still verifies.
    expect(await tenantRowCounts(t, [other.organization.id])).toEqual(othersBefore);
    const verify = await other.get('/api/v1/audit-logs/verify').expect(200);
    expect((verify.body as { valid: boolean }).valid).toBe(true);
    // The person's account stays; its access to the deleted tenant is gone at once.
    const [account] = await t.dataSource.query<{ is_active: boolean }[]>(
      'SELECT is_active FROM users WHERE id = $1',
      [owner.user.id],
    );
    expect(account.is_active).toBe(true);
    const denied = await actorFor(t, owner.user, owner.organization, owner.tokens).get(
      '/api/v1/products',
    );
    expect(denied.status).toBe(403);
    // The deletion is audited in the platform chain, which outlives the tenant.
    const [audit] = await t.dataSource.query<{ changes: { code: string } }[]>(
      `SELECT changes FROM audit_logs WHERE chain_key = 'system' AND action = 'tenant.delete' AND entity_id = $1`,
      [tenantId],
    );
    expect(audit.changes.code).toBe(owner.organization.code);
    // Append-only still holds outside a purge.
    await expect(
      t.dataSource.query('DELETE FROM audit_logs WHERE organization_id = $1', [
        other.organization.id,
      ]),
    ).rejects.toThrow(/append-only/);
    expect(
      (await operator.delete(`/api/v1/tenants/${tenantId}?confirm=${owner.organization.code}`))
        .status,
    ).toBe(404);
  });
});
