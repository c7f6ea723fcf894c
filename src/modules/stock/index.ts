// Public surface of the stock module.
import { StockLevelEntity, StockMoveEntity } from './stock.entity';

export { StockModule } from './stock.module';
export { StockWorkerModule } from './stock-worker.module';
export { STOCK_RECONCILE } from './stock-reconcile.job';
export { StockLevelEntity, StockMoveEntity } from './stock.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const STOCK_ENTITIES = [StockMoveEntity, StockLevelEntity];
