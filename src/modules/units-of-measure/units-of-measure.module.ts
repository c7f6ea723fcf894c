import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { UnitsOfMeasureController } from './units-of-measure.controller';
import { UnitsOfMeasureRepository } from './units-of-measure.repository';
import { UnitsOfMeasureService } from './units-of-measure.service';

/** See README.md in this folder. */
@Module({
  imports: [AuditModule],
  controllers: [UnitsOfMeasureController],
  providers: [UnitsOfMeasureService, UnitsOfMeasureRepository],
  exports: [UnitsOfMeasureService],
})
export class UnitsOfMeasureModule {}
