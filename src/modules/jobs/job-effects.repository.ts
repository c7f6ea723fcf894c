import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';

/**
 * The only SQL on `task_effects` (the record of side effects a job already made, keyed
 * `<taskId>:<key>`). The table has no organization: a key names one job, whose organization is in
 * its queue data. Runs in the caller's transaction; never opens one.
 */
@Injectable()
export class JobEffectsRepository {
  /** Claims `key` for `taskId`; false when it was claimed before (a retry). */
  async claim(manager: EntityManager, key: string, taskId: string): Promise<boolean> {
    const claimed = await returningRows<{ key: string }>(
      manager,
      `INSERT INTO task_effects (key, task_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, taskId],
    );
    return claimed.length > 0;
  }

  /** The result stored for a claimed key (JSON; null when the work returned nothing). */
  async result<T>(manager: EntityManager, key: string): Promise<T> {
    const [done] = await manager.query<{ result: T }[]>(
      'SELECT result FROM task_effects WHERE key = $1',
      [key],
    );
    return done.result;
  }

  /** Stores the work's result on its claimed key. */
  async storeResult(manager: EntityManager, key: string, result: unknown): Promise<void> {
    await manager.query('UPDATE task_effects SET result = $2 WHERE key = $1', [
      key,
      JSON.stringify(result ?? null),
    ]);
  }
}
