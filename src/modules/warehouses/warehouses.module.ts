import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { StockLocationsService } from './stock-locations.service';
import { StockLocationsController, WarehousesController } from './warehouses.controller';
import { StockLocationsRepository } from './stock-locations.repository';
import { WarehousesRepository } from './warehouses.repository';
import { WarehousesService } from './warehouses.service';
import { WarehouseTargetsModule } from './warehouse-targets';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, WarehouseTargetsModule],
  controllers: [WarehousesController, StockLocationsController],
  providers: [
    WarehousesService,
    StockLocationsService,
    WarehousesRepository,
    StockLocationsRepository,
  ],
  exports: [StockLocationsService],
})
export class WarehousesModule {}
