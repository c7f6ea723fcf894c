import { conflict, defineErrors, rule } from '../../core/http';

/** The stock module's error codes (README "Error codes"): moves and levels. */
export const StockErrors = defineErrors({
  location_required: rule(() => ({
    detail: 'Give fromLocationId, toLocationId or both',
    pointer: '/toLocationId',
  })),
  same_location: rule(() => ({
    detail: 'A move needs two different locations',
    pointer: '/toLocationId',
  })),
  not_stockable: rule(() => ({ detail: 'Only goods are kept in stock', pointer: '/productId' })),
  /** `field`: `fromLocationId` or `toLocationId`. */
  invalid_location: rule((field: string) => ({
    detail: `${field} is not an active location of yours`,
    pointer: `/${field}`,
  })),
  /** Quantities are decimal strings; `available` is what the source location holds. */
  insufficient_stock: conflict((available: string, requested: string, locationId: string) => ({
    detail: `Not enough stock at the source location (available: ${available})`,
    field: 'quantity',
    meta: { available, requested, locationId },
  })),
});
