import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { ProductsModule } from '../products';
import { StockLevelsController, StockMovesController } from './stock.controller';
import { StockService } from './stock.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule, ProductsModule],
  controllers: [StockMovesController, StockLevelsController],
  providers: [StockService],
})
export class StockModule {}
