import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/**
 * Outbound webhooks (issue 19): `webhook_subscriptions` per organization (name, URL, event type
 * patterns, active/paused, the signing secret sealed with AES-256-GCM — never the plain secret —,
 * the run of consecutive failed deliveries that auto-pauses it) and `webhook_deliveries` (one per
 * subscription and domain event, unique on (subscription, event): the fan-out is idempotent; the
 * payload as sent, status, attempts, the last attempt's response and a bounded attempt log).
 * `ix_webhook_deliveries_due` is the worker's claim path (due pending/retrying rows only).
 */
export class CreateWebhooks1764003700000 implements MigrationInterface {
  name = 'CreateWebhooks1764003700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "webhook_subscriptions" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_webhook_subscriptions_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "name" character varying(100) NOT NULL,
        "description" character varying(1000),
        "url" character varying(2048) NOT NULL,
        "event_types" text array NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'active',
        "paused_reason" character varying(20),
        "secret_sealed" text NOT NULL,
        "consecutive_failures" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_webhook_subscriptions" PRIMARY KEY ("id"),
        CONSTRAINT "ck_webhook_subscriptions_status" CHECK ("status" IN ('active', 'paused')),
        CONSTRAINT "ck_webhook_subscriptions_paused_reason" CHECK ("paused_reason" IN ('manual', 'gone', 'failures')),
        CONSTRAINT "ck_webhook_subscriptions_event_types" CHECK (cardinality("event_types") BETWEEN 1 AND 50)
      )`);
    await q.query(
      `CREATE INDEX "ix_webhook_subscriptions_org_status" ON "webhook_subscriptions" ("organization_id", "status")`,
    );
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_webhook_deliveries_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "subscription_id" uuid NOT NULL CONSTRAINT "fk_webhook_deliveries_subscription_id" REFERENCES "webhook_subscriptions" ("id") ON DELETE CASCADE,
        "event_id" uuid NOT NULL,
        "event_type" character varying(101) NOT NULL,
        "payload" jsonb NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz,
        "first_attempt_at" timestamptz,
        "last_attempt_at" timestamptz,
        "response_status" integer,
        "latency_ms" integer,
        "response_body" character varying(1024),
        "error" character varying(1000),
        "attempt_log" jsonb NOT NULL DEFAULT '[]',
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY ("id"),
        CONSTRAINT "ck_webhook_deliveries_status" CHECK ("status" IN ('pending', 'succeeded', 'failed', 'retrying'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_webhook_deliveries_event" ON "webhook_deliveries" ("subscription_id", "event_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_webhook_deliveries_list" ON "webhook_deliveries" ("organization_id", "subscription_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" IN ('pending', 'retrying')`,
    );
    for (const table of ['webhook_subscriptions', 'webhook_deliveries']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_subscriptions"`);
  }
}
