import { IdempotencyKeyEntity } from '../core/http/idempotency/idempotency-key.entity';

/**
 * Every TypeORM entity, listed explicitly. A module adds its entities here (from its index.ts);
 * the drift test fails when an entity and the migrations disagree.
 */
export const ENTITIES = [IdempotencyKeyEntity];
