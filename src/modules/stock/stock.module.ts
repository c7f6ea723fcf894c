import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { ProductsModule } from '../products';
import { WarehousesModule } from '../warehouses';
import { StockRepository } from './stock.repository';
import { StockLevelsController, StockMovesController } from './stock.controller';
import { StockService } from './stock.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, ProductsModule, WarehousesModule],
  controllers: [StockMovesController, StockLevelsController],
  providers: [StockService, StockRepository],
})
export class StockModule {}
