import type { DataSource } from 'typeorm';
import type { Seeder } from '../../core/database';
import type { UnitType } from './unit-of-measure.entity';
import { UnitsOfMeasureRepository } from './units-of-measure.repository';

/** code, name, type, factor to the type's base unit (m, kg, l, pc, s). US customary volumes. */
export const STANDARD_UNITS: readonly (readonly [string, string, UnitType, string])[] = [
  ['mm', 'Millimetre', 'length', '0.001'],
  ['cm', 'Centimetre', 'length', '0.01'],
  ['m', 'Metre', 'length', '1'],
  ['km', 'Kilometre', 'length', '1000'],
  ['in', 'Inch', 'length', '0.0254'],
  ['ft', 'Foot', 'length', '0.3048'],
  ['yd', 'Yard', 'length', '0.9144'],
  ['mi', 'Mile', 'length', '1609.344'],
  ['mg', 'Milligram', 'mass', '0.000001'],
  ['g', 'Gram', 'mass', '0.001'],
  ['kg', 'Kilogram', 'mass', '1'],
  ['t', 'Tonne', 'mass', '1000'],
  ['oz', 'Ounce', 'mass', '0.028349523125'],
  ['lb', 'Pound', 'mass', '0.45359237'],
  ['ml', 'Millilitre', 'volume', '0.001'],
  ['cl', 'Centilitre', 'volume', '0.01'],
  ['l', 'Litre', 'volume', '1'],
  ['m3', 'Cubic metre', 'volume', '1000'],
  ['pt', 'Pint (US)', 'volume', '0.473176473'],
  ['qt', 'Quart (US)', 'volume', '0.946352946'],
  ['gal', 'Gallon (US)', 'volume', '3.785411784'],
  ['pc', 'Piece', 'count', '1'],
  ['pair', 'Pair', 'count', '2'],
  ['dozen', 'Dozen', 'count', '12'],
  ['gross', 'Gross', 'count', '144'],
  ['s', 'Second', 'time', '1'],
  ['min', 'Minute', 'time', '60'],
  ['h', 'Hour', 'time', '3600'],
  ['d', 'Day', 'time', '86400'],
  ['wk', 'Week', 'time', '604800'],
];

/** Standard units; existing rows keep their edits. */
export const unitsOfMeasureSeeder: Seeder = {
  name: 'units of measure',
  async run(dataSource: DataSource) {
    await new UnitsOfMeasureRepository().insertMissing(dataSource.manager, STANDARD_UNITS);
    return `${STANDARD_UNITS.length} units`;
  },
};
