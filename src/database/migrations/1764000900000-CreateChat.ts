import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;

/** Chat: rooms of an organization, their participants, and messages (append-only by API). */
export class CreateChat1764000900000 implements MigrationInterface {
  name = 'CreateChat1764000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "chat_rooms" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_chat_rooms_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "name" character varying(200) NOT NULL,
        "created_by" uuid NOT NULL CONSTRAINT "fk_chat_rooms_created_by" REFERENCES "users" ("id"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_chat_rooms" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE INDEX "ix_chat_rooms_organization_id" ON "chat_rooms" ("organization_id", "id")`,
    );
    await q.query(`
      CREATE TABLE "chat_participants" (
        "organization_id" uuid NOT NULL CONSTRAINT "fk_chat_participants_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "room_id" uuid NOT NULL CONSTRAINT "fk_chat_participants_room_id" REFERENCES "chat_rooms" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL CONSTRAINT "fk_chat_participants_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "joined_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_chat_participants" PRIMARY KEY ("room_id", "user_id")
      )`);
    await q.query(
      `CREATE INDEX "ix_chat_participants_user_id" ON "chat_participants" ("user_id", "organization_id")`,
    );
    await q.query(`
      CREATE TABLE "chat_messages" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_chat_messages_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "room_id" uuid NOT NULL CONSTRAINT "fk_chat_messages_room_id" REFERENCES "chat_rooms" ("id") ON DELETE CASCADE,
        "author_id" uuid NOT NULL CONSTRAINT "fk_chat_messages_author_id" REFERENCES "users" ("id"),
        "body" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_chat_messages" PRIMARY KEY ("id"),
        CONSTRAINT "ck_chat_messages_body" CHECK (length("body") BETWEEN 1 AND 4000)
      )`);
    await q.query(`CREATE INDEX "ix_chat_messages_room_id" ON "chat_messages" ("room_id", "id")`);
    for (const table of ['chat_rooms', 'chat_participants', 'chat_messages']) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "chat_messages"`);
    await q.query(`DROP TABLE "chat_participants"`);
    await q.query(`DROP TABLE "chat_rooms"`);
  }
}
