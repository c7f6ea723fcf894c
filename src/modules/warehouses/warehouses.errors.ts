import { defineErrors, rule } from '../../core/http';

/** The warehouses module's error codes (README "Error codes"): warehouses and stock locations. */
export const WarehousesErrors = defineErrors({
  invalid_parent: rule(() => ({
    detail: 'parentId must be a location of the same warehouse',
    pointer: '/parentId',
  })),
  invalid_warehouse: rule(() => ({
    detail: 'warehouseId is not a warehouse of yours',
    pointer: '/warehouseId',
  })),
});
