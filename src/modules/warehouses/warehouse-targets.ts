import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TargetRegistry } from '../../core/targets';
import { StockLocationsRepository } from './stock-locations.repository';
import { WarehousesRepository } from './warehouses.repository';

/**
 * Registers warehouses (`warehouse`) and stock locations (`stock-location`) as collaboration
 * targets (SPEC-P3 §0) through their repositories: read with `warehouses:read`, changed with
 * `warehouses:manage` (one permission pair covers both, as the routes do).
 */
@Injectable()
export class WarehouseTargetRegistration implements OnModuleInit {
  constructor(
    private readonly targets: TargetRegistry,
    private readonly warehouses: WarehousesRepository,
    private readonly locations: StockLocationsRepository,
  ) {}

  onModuleInit(): void {
    this.targets.register({
      entityType: 'warehouse',
      readPermission: 'warehouses:read',
      updatePermission: 'warehouses:manage',
      // Share-locked: a comment, follow or attachment cannot land on a record being deleted.
      exists: (manager, orgId, id, options) =>
        this.warehouses.exists(manager, orgId, id, { forShare: options?.lock !== false }),
      label: async (manager, orgId, id) => {
        const row = await this.warehouses.findById(manager, orgId, id);
        return row ? `${row.code} · ${row.name}` : null;
      },
      path: (id) => `/api/v1/warehouses/${id}`,
    });
    this.targets.register({
      entityType: 'stock-location',
      readPermission: 'warehouses:read',
      updatePermission: 'warehouses:manage',
      exists: (manager, orgId, id, options) =>
        this.locations.exists(manager, orgId, id, { forShare: options?.lock !== false }),
      label: async (manager, orgId, id) => {
        const row = await this.locations.findById(manager, orgId, id);
        return row ? `${row.code} · ${row.name}` : null;
      },
      path: (id) => `/api/v1/stock-locations/${id}`,
    });
  }
}

/** The warehouse and stock-location targets, loaded by the API and the worker. */
@Module({
  providers: [WarehousesRepository, StockLocationsRepository, WarehouseTargetRegistration],
})
export class WarehouseTargetsModule {}
