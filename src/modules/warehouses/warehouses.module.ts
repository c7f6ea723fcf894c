import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { AttachmentTargetsModule } from '../files';
import { StockLocationsService } from './stock-locations.service';
import { StockLocationsController, WarehousesController } from './warehouses.controller';
import { StockLocationsRepository } from './stock-locations.repository';
import { WarehousesRepository } from './warehouses.repository';
import { WarehousesService } from './warehouses.service';
import { WarehouseTargetsRegistration } from './warehouse-targets';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, AttachmentTargetsModule],
  controllers: [WarehousesController, StockLocationsController],
  providers: [
    WarehousesService,
    StockLocationsService,
    WarehousesRepository,
    StockLocationsRepository,
    WarehouseTargetsRegistration,
  ],
  exports: [StockLocationsService],
})
export class WarehousesModule {}
