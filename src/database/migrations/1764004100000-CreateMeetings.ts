import { MigrationInterface, QueryRunner } from 'typeorm';

const POLICY = `organization_id = current_setting('app.current_org', true)::uuid`;
const TABLES = [
  'meetings',
  'meeting_participants',
  'calendar_feed_tokens',
  'video_provider_events',
];

/**
 * Meetings of SPEC-P3 §10 (issue 20, part 2): `meetings` (an interval of at most 24 hours in an
 * IANA time zone, a host, an optional target, a video provider and its room, the iCalendar UID and
 * SEQUENCE), `meeting_participants` (a member or an external e-mail, unique per meeting),
 * `calendar_feed_tokens` (only the SHA-256 of a feed token is stored) and `video_provider_events`
 * (webhook idempotency: one row per provider event id, whatever the organization). Every table is
 * a tenant table with the `tenant_isolation` policy.
 */
export class CreateMeetings1764004100000 implements MigrationInterface {
  name = 'CreateMeetings1764004100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "meetings" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_meetings_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "title" character varying(200) NOT NULL,
        "description" text,
        "starts_at" timestamptz NOT NULL,
        "ends_at" timestamptz NOT NULL,
        "timezone" character varying(64) NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'scheduled',
        "host_user_id" uuid NOT NULL CONSTRAINT "fk_meetings_host_user_id" REFERENCES "users" ("id") ON DELETE RESTRICT,
        "target_type" character varying(50),
        "target_id" uuid,
        "provider" character varying(20) NOT NULL,
        "provider_room_id" character varying(200),
        "join_url" character varying(2000),
        "ics_uid" character varying(255) NOT NULL,
        "ics_sequence" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" integer NOT NULL DEFAULT 1,
        CONSTRAINT "pk_meetings" PRIMARY KEY ("id"),
        CONSTRAINT "ck_meetings_interval" CHECK ("ends_at" > "starts_at" AND "ends_at" - "starts_at" <= interval '24 hours'),
        CONSTRAINT "ck_meetings_status" CHECK ("status" IN ('scheduled', 'in_progress', 'ended', 'cancelled', 'provider_error')),
        CONSTRAINT "ck_meetings_provider" CHECK ("provider" IN ('none', 'jitsi')),
        CONSTRAINT "ck_meetings_target" CHECK (("target_type" IS NULL) = ("target_id" IS NULL)),
        CONSTRAINT "ck_meetings_join_url" CHECK ("join_url" IS NULL OR "join_url" LIKE 'https://%')
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_meetings_ics_uid" ON "meetings" ("organization_id", "ics_uid")`,
    );
    await q.query(
      `CREATE INDEX "ix_meetings_starts_at" ON "meetings" ("organization_id", "starts_at")`,
    );
    await q.query(
      `CREATE INDEX "ix_meetings_target" ON "meetings" ("organization_id", "target_type", "target_id")`,
    );
    await q.query(`
      CREATE TABLE "meeting_participants" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_meeting_participants_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "meeting_id" uuid NOT NULL CONSTRAINT "fk_meeting_participants_meeting_id" REFERENCES "meetings" ("id") ON DELETE CASCADE,
        "user_id" uuid CONSTRAINT "fk_meeting_participants_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "email" character varying(320),
        "role" character varying(20) NOT NULL DEFAULT 'participant',
        "rsvp" character varying(20) NOT NULL DEFAULT 'needs_action',
        "joined_at" timestamptz,
        "left_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_meeting_participants" PRIMARY KEY ("id"),
        CONSTRAINT "ck_meeting_participants_who" CHECK (("user_id" IS NULL) <> ("email" IS NULL)),
        CONSTRAINT "ck_meeting_participants_email" CHECK ("email" = lower("email")),
        CONSTRAINT "ck_meeting_participants_role" CHECK ("role" IN ('host', 'participant')),
        CONSTRAINT "ck_meeting_participants_rsvp" CHECK ("rsvp" IN ('needs_action', 'accepted', 'declined', 'tentative'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_meeting_participants_user" ON "meeting_participants" ("meeting_id", "user_id")`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_meeting_participants_email" ON "meeting_participants" ("meeting_id", "email")`,
    );
    // `participant = @me` filters and the calendar feed: a user's meetings.
    await q.query(
      `CREATE INDEX "ix_meeting_participants_user" ON "meeting_participants" ("organization_id", "user_id")`,
    );
    await q.query(`
      CREATE TABLE "calendar_feed_tokens" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_calendar_feed_tokens_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL CONSTRAINT "fk_calendar_feed_tokens_user_id" REFERENCES "users" ("id") ON DELETE CASCADE,
        "token_hash" character(64) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "revoked_at" timestamptz,
        CONSTRAINT "pk_calendar_feed_tokens" PRIMARY KEY ("id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_calendar_feed_tokens_token_hash" ON "calendar_feed_tokens" ("token_hash")`,
    );
    await q.query(
      `CREATE INDEX "ix_calendar_feed_tokens_user" ON "calendar_feed_tokens" ("organization_id", "user_id")`,
    );
    await q.query(`
      CREATE TABLE "video_provider_events" (
        "id" uuid NOT NULL DEFAULT gen_uuid_v7(),
        "organization_id" uuid NOT NULL CONSTRAINT "fk_video_provider_events_organization_id" REFERENCES "organizations" ("id") ON DELETE CASCADE,
        "provider" character varying(20) NOT NULL,
        "event_id" character varying(200) NOT NULL,
        "type" character varying(50) NOT NULL,
        "meeting_id" uuid,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_video_provider_events" PRIMARY KEY ("id")
      )`);
    // Global (not per organization): a replayed event id is a no-op whoever it names.
    await q.query(
      `CREATE UNIQUE INDEX "uq_video_provider_events_event" ON "video_provider_events" ("provider", "event_id")`,
    );
    for (const table of TABLES) {
      await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY "tenant_isolation" ON "${table}" TO alees_tenant USING (${POLICY}) WITH CHECK (${POLICY})`,
      );
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO alees_tenant`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await q.query(`DROP TABLE "${table}"`);
  }
}
