import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returningRows } from '../../core/database';
import type { EntityAction } from '../realtime';

/** One consumed `search_outbox` row: a change to a searchable row of an organization. */
export interface OutboxRow {
  organization_id: string;
  entity_type: string;
  entity_id: string;
  operation: EntityAction;
}

/**
 * The only SQL on `search_outbox` outside the capture triggers (migration CreateSearch). The
 * relay's claim spans every organization, so it runs in the relay's system transaction
 * (`runAsSystem('outbox-relay')`); never opens a transaction itself.
 */
@Injectable()
export class SearchOutboxRepository {
  /**
   * Deletes and returns up to `limit` of the oldest outbox rows, `FOR UPDATE SKIP LOCKED` (another
   * relay skips them). The deletion commits with the caller's transaction, i.e. only once the
   * batch has been applied.
   */
  claimBatch(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    return returningRows<OutboxRow>(
      manager,
      `DELETE FROM search_outbox WHERE id IN (
         SELECT id FROM search_outbox ORDER BY id LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED)
       RETURNING organization_id, entity_type, entity_id, operation`,
      [],
    );
  }
}
