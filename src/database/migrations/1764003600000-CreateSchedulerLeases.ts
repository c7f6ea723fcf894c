import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21 "past one machine": the scheduler's leader election moves from a session advisory lock
 * (which needs one connection held for the leader's lifetime, impossible through PgBouncer in
 * transaction pooling) to a lease row with an expiry. The leader renews it on every tick in the
 * same transaction that runs the due schedules; another worker takes it once it has expired.
 * Not tenant data (no `organization_id`): only the owner role (`runAsSystem('scheduler')`)
 * touches it, so the tenant role loses the default grants.
 */
export class CreateSchedulerLeases1764003600000 implements MigrationInterface {
  name = 'CreateSchedulerLeases1764003600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "scheduler_leases" (
        "name" text PRIMARY KEY,
        "holder" text NOT NULL,
        "acquired_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "ck_scheduler_leases_holder" CHECK (length("holder") BETWEEN 1 AND 200)
      )`);
    await q.query(`REVOKE ALL ON "scheduler_leases" FROM alees_tenant`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "scheduler_leases"`);
  }
}
