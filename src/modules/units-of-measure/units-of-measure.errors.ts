import { defineErrors, rule } from '../../core/http';

interface Unit {
  code: string;
  type: string;
}

/** The units-of-measure module's error codes (README "Error codes"). */
export const UnitsOfMeasureErrors = defineErrors({
  incompatible_units: rule((from: Unit, to: Unit) => ({
    detail: `Cannot convert ${from.type} (${from.code}) to ${to.type} (${to.code})`,
    meta: { fromType: from.type, toType: to.type },
  })),
});
