import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { StockLocationsService } from './stock-locations.service';
import { StockLocationsController, WarehousesController } from './warehouses.controller';
import { WarehousesService } from './warehouses.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [WarehousesController, StockLocationsController],
  providers: [WarehousesService, StockLocationsService],
  exports: [StockLocationsService, WarehousesService],
})
export class WarehousesModule {}
