import { MigrationInterface, QueryRunner } from 'typeorm';

/** uuid v7 generator (PG 15 has none built in) and the idempotency-key store. */
export class CreatePlatformBase1764000000000 implements MigrationInterface {
  name = 'CreatePlatformBase1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // Time-ordered UUIDs: 48-bit unix-ms timestamp over a random v4, version nibble set to 7.
    await q.query(`
      CREATE OR REPLACE FUNCTION gen_uuid_v7() RETURNS uuid
      LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
        SELECT encode(
          set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
          52, 1), 53, 1), 'hex')::uuid
      $$`);
    await q.query(`
      CREATE TABLE "idempotency_keys" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "scope" text NOT NULL,
        "key" text NOT NULL,
        "request_hash" text NOT NULL,
        "state" text NOT NULL,
        "response_status" integer,
        "response_body" jsonb,
        "response_headers" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "pk_idempotency_keys" PRIMARY KEY ("id"),
        CONSTRAINT "ck_idempotency_keys_state" CHECK ("state" IN ('pending', 'completed'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_idempotency_keys_scope_key" ON "idempotency_keys" ("scope", "key")`,
    );
    await q.query(
      `CREATE INDEX "ix_idempotency_keys_expires_at" ON "idempotency_keys" ("expires_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP FUNCTION gen_uuid_v7()`);
  }
}
