import { MigrationInterface, QueryRunner } from 'typeorm';

/** Side effects committed by tasks, keyed `<taskId>:<key>`, so a retried job skips them. */
export class CreateTaskEffects1764000400000 implements MigrationInterface {
  name = 'CreateTaskEffects1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "task_effects" (
        "key" text NOT NULL,
        "task_id" text NOT NULL,
        "result" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_task_effects" PRIMARY KEY ("key")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "task_effects"`);
  }
}
