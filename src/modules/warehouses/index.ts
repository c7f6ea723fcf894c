// Public surface of the warehouses module.
import { StockLocationEntity, WarehouseEntity } from './warehouse.entity';

export { WarehousesModule } from './warehouses.module';
export { WarehouseTargetsModule } from './warehouse-targets';
export { StockLocationsService } from './stock-locations.service';
export type { LockedStockLocation } from './stock-locations.service';
export { StockLocationEntity, WarehouseEntity } from './warehouse.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const WAREHOUSES_ENTITIES = [WarehouseEntity, StockLocationEntity];
