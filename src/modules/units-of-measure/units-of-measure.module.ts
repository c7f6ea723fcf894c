import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { UnitsOfMeasureController } from './units-of-measure.controller';
import { UnitsOfMeasureRepository } from './units-of-measure.repository';
import { UnitsOfMeasureService } from './units-of-measure.service';

/**
 * `UnitsOfMeasureService` without the HTTP controller, for modules that also run in the worker (the importers);
 * the worker has no HTTP layer to build a controller with.
 */
@Module({
  imports: [AuditModule],
  providers: [UnitsOfMeasureService, UnitsOfMeasureRepository],
  exports: [UnitsOfMeasureService],
})
export class UnitsOfMeasureServiceModule {}

/** See README.md in this folder. The API side: the routes, over {@link UnitsOfMeasureServiceModule}. */
@Module({
  imports: [UnitsOfMeasureServiceModule],
  controllers: [UnitsOfMeasureController],
  exports: [UnitsOfMeasureServiceModule],
})
export class UnitsOfMeasureModule {}
