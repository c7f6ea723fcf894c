import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditLogsRepository } from '../../src/modules/audit-logs/audit-logs.repository';
import { MediumDatabase, openMediumDatabase } from '../support/medium-db';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/**
 * The timeline's field-change source on a record with 10,000 audited changes (among 10,000 of
 * other records): each page is an index range scan of `ix_audit_logs_entity_timeline` in
 * (created_at DESC, id DESC) — no sort of the record's history — and runs in well under 50 ms.
 */
describe('AuditLogsRepository.entityHistory (medium)', () => {
  const repository = new AuditLogsRepository();
  let database: MediumDatabase;
  let orgId: string;
  const entityId = randomUUID();

  /** Runs `page` with a manager that also EXPLAINs (ANALYZE) the statement it sends. */
  const explainPage = (before: { at: string; id: string } | null) =>
    database.db.run(orgId, async (manager) => {
      let plan: { Plan: PlanNode; 'Execution Time': number } | undefined;
      const explaining = {
        query: async (sql: string, params: unknown[]) => {
          const [row] = await manager.query<{ 'QUERY PLAN': (typeof plan)[] }[]>(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
            params,
          );
          plan = row['QUERY PLAN'][0];
          return manager.query<unknown[]>(sql, params);
        },
      } as unknown as EntityManager;
      const rows = await repository.entityHistory(
        explaining,
        orgId,
        'product',
        entityId,
        before,
        51,
      );
      return { rows, plan: plan! };
    });

  beforeAll(async () => {
    database = await openMediumDatabase();
    orgId = await database.organization();
    // Rows written straight into the table (the chain is not what is measured here): 10,000
    // changes of one product, 10,000 of others, one second apart.
    await database.dataSource.query(
      `INSERT INTO audit_logs (organization_id, chain_key, seq, action, entity_type, entity_id, changes,
                               created_at, prev_hash, hash)
       SELECT $1::uuid, 'bench-' || $1::text, g, 'update', 'product',
              CASE WHEN g % 2 = 0 THEN $2::text ELSE gen_random_uuid()::text END,
              jsonb_build_object('name', jsonb_build_object('from', g - 1, 'to', g)),
              now() - (g || ' seconds')::interval, 'x', 'x'
         FROM generate_series(1, 20000) AS g`,
      [orgId, entityId],
    );
    await database.dataSource.query('ANALYZE audit_logs');
  });
  afterAll(() => database.close());

  it('pages a 10,000-change history by index scan, newest first, in < 50 ms', async () => {
    const first = await explainPage(null);
    expect(first.rows).toHaveLength(51);
    const scans = nodes(first.plan.Plan);
    expect(scans.map((n) => n['Index Name'])).toContain('ix_audit_logs_entity_timeline');
    expect(scans.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(scans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(first.plan['Execution Time']).toBeLessThan(50);
    const ats = first.rows.map((r) => r.at);
    expect(ats).toEqual([...ats].sort().reverse());

    // Deep in the history (past 9,000 entries) it is the same plan and as fast.
    const deep = await database.db.run(orgId, (m) =>
      m.query<{ at: string; id: string }[]>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id::text
           FROM audit_logs WHERE organization_id = $1 AND entity_type = 'product' AND entity_id = $2
          ORDER BY created_at DESC, id DESC OFFSET 9000 LIMIT 1`,
        [orgId, entityId],
      ),
    );
    const later = await explainPage(deep[0]);
    expect(later.rows).toHaveLength(51);
    expect(later.rows[0].at < deep[0].at).toBe(true);
    expect(nodes(later.plan.Plan).map((n) => n['Index Name'])).toContain(
      'ix_audit_logs_entity_timeline',
    );
    expect(nodes(later.plan.Plan).map((n) => n['Node Type'])).not.toContain('Sort');
    expect(later.plan['Execution Time']).toBeLessThan(50);
  });
});
