import { Injectable, OnModuleInit } from '@nestjs/common';
import { AttachmentTargets } from '../files';
import { StockLocationsRepository } from './stock-locations.repository';
import { WarehousesService } from './warehouses.service';

/**
 * Registers "does this warehouse / stock location exist in the organization?"
 * (`WarehousesService.exists`, `StockLocationsRepository.exists`) with the files module, which
 * attaches files to both (types `warehouse`, `stock-location`). API side only.
 */
@Injectable()
export class WarehouseTargetsRegistration implements OnModuleInit {
  constructor(
    private readonly attachments: AttachmentTargets,
    private readonly warehouses: WarehousesService,
    private readonly locations: StockLocationsRepository,
  ) {}

  onModuleInit(): void {
    this.attachments.register({
      type: 'warehouse',
      exists: this.warehouses.exists.bind(this.warehouses),
    });
    this.attachments.register({
      type: 'stock-location',
      exists: this.locations.exists.bind(this.locations),
    });
  }
}
