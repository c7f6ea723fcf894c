import { Actor, addActor, createTenant } from '../support/auth';
import { createTestApp, TestApp } from '../support/test-app';

interface Entry {
  id: string;
  seq: string | null;
  action: string;
  entityType: string;
  entityId: string;
  actorUserId: string;
  requestId: string;
  changes: Record<string, unknown>;
}
interface EntryPage {
  items: Entry[];
  total: number;
  nextCursor?: string;
}

describe('audit log', () => {
  let t: TestApp;
  let owner: Actor;
  let other: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t);
    other = await createTenant(t);
    for (let i = 0; i < 5; i++) {
      await owner
        .post('/api/v1/roles')
        .set('X-Request-ID', `audit-req-${i}-0000`)
        .send({ name: `Role ${i}`, permissions: ['organizations:read'] })
        .expect(201);
    }
    await other
      .post('/api/v1/roles')
      .send({ name: 'Other tenant role', permissions: [] })
      .expect(201);
  });
  afterAll(async () => t.close());

  it('lists the organization’s entries newest first, with actor, request id and changes', async () => {
    const page = (await owner.get('/api/v1/audit-logs?entityType=role').expect(200))
      .body as EntryPage;
    expect(page.total).toBe(5);
    expect(page.items.map((e) => e.requestId)).toEqual([
      'audit-req-4-0000',
      'audit-req-3-0000',
      'audit-req-2-0000',
      'audit-req-1-0000',
      'audit-req-0-0000',
    ]);
    expect(page.items[0]).toMatchObject({
      action: 'create',
      actorUserId: owner.user.id,
      changes: { name: 'Role 4' },
    });
    expect(JSON.stringify(page)).not.toContain('Other tenant role');
    const otherPage = (await other.get('/api/v1/audit-logs').expect(200)).body as EntryPage;
    expect(otherPage.items.every((e) => !e.requestId?.startsWith('audit-req-'))).toBe(true);
  });

  it('walks every entry with ?cursor= and rejects bad parameters', async () => {
    const seen: string[] = [];
    let url = '/api/v1/audit-logs?size=2&entityType=role';
    for (;;) {
      const page = (await owner.get(url).expect(200)).body as EntryPage;
      seen.push(...page.items.map((e) => e.id));
      if (!page.nextCursor) break;
      url = `/api/v1/audit-logs?size=2&entityType=role&cursor=${page.nextCursor}`;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    await owner.get('/api/v1/audit-logs?cursor=garbage').expect(422);
    await owner.get('/api/v1/audit-logs?actorUserId=not-a-uuid').expect(422);
    await owner.get('/api/v1/audit-logs?createdFrom=2020-01-01T00:00:00Z').expect(200);
  });

  it('needs audit-logs:read; 401 without credentials', async () => {
    await t.http.get('/api/v1/audit-logs').expect(401);
    const member = await addActor(t, owner.organization, ['Member']);
    await member.get('/api/v1/audit-logs').expect(403);
    await member.get('/api/v1/audit-logs/verify').expect(403);
  });

  it('refuses UPDATE and DELETE at the database', async () => {
    await expect(t.dataSource.query(`UPDATE audit_logs SET action = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.dataSource.query(`DELETE FROM audit_logs`)).rejects.toThrow(/append-only/);
  });

  it('verify passes, then reports the first row changed behind its back', async () => {
    // Verification seals what committed before it (no worker runs here), then checks the chain.
    expect((await owner.get('/api/v1/audit-logs/verify').expect(200)).body).toEqual({
      valid: true,
      checked: 5,
      unsealed: { count: 0, oldestAt: null },
    });
    const [second] = await t.dataSource.query<{ id: string; seq: string }[]>(
      `SELECT id, seq FROM audit_logs WHERE organization_id = $1 ORDER BY seq OFFSET 1 LIMIT 1`,
      [owner.organization.id],
    );
    await t.dataSource.query('ALTER TABLE audit_logs DISABLE TRIGGER trg_audit_logs_append_only');
    await t.dataSource.query(`UPDATE audit_logs SET changes = '{"name":"forged"}' WHERE id = $1`, [
      second.id,
    ]);
    await t.dataSource.query('ALTER TABLE audit_logs ENABLE TRIGGER trg_audit_logs_append_only');
    const verdict = (await owner.get('/api/v1/audit-logs/verify').expect(200)).body as {
      valid: boolean;
      checked: number;
      firstBroken: { id: string; seq: string; reason: string };
    };
    expect(verdict).toEqual({
      valid: false,
      checked: 1,
      firstBroken: { id: second.id, seq: String(second.seq), reason: 'hash_mismatch' },
      unsealed: { count: 0, oldestAt: null },
    });
    // The other tenant's chain is untouched.
    expect(
      ((await other.get('/api/v1/audit-logs/verify').expect(200)).body as { valid: boolean }).valid,
    ).toBe(true);
  });
});
