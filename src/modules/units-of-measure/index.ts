// Public surface of the units-of-measure module.
import { UnitOfMeasureEntity } from './unit-of-measure.entity';

export { UnitsOfMeasureModule, UnitsOfMeasureServiceModule } from './units-of-measure.module';
export { UNITS_CACHE, UnitsOfMeasureService } from './units-of-measure.service';
export { UNIT_TYPES, UnitOfMeasureEntity, UnitType } from './unit-of-measure.entity';
export { unitsOfMeasureSeeder } from './units-of-measure.seeder';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const UNITS_OF_MEASURE_ENTITIES = [UnitOfMeasureEntity];
