import { Body, Controller, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ActiveOrganization,
  AuditContext,
  AuditContextParam,
  ListScope,
  RequirePermissions,
} from '../../core/auth';
import {
  CreateRoute,
  DeleteRoute,
  ErrorEnvelopeDto,
  ExpectedVersion,
  IdParam,
  IfMatch,
  ListQueryParser,
  ListRoute,
  LocationOf,
  Page,
  ReadRoute,
  UpdateRoute,
} from '../../core/http';
import {
  CreateStockLocationDto,
  CreateWarehouseDto,
  MoveStockLocationDto,
  StockLocationDto,
  UpdateStockLocationDto,
  UpdateWarehouseDto,
  WarehouseDto,
} from './dto/warehouse.dto';
import { STOCK_LOCATION_LIST, StockLocationsService } from './stock-locations.service';
import { WAREHOUSE_LIST, WarehousesService } from './warehouses.service';

@ApiTags('warehouses')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('warehouses')
export class WarehousesController {
  constructor(
    private readonly warehouses: WarehousesService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute('warehouses:read', 'Warehouses of this organization', WAREHOUSE_LIST, WarehouseDto)
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<WarehouseDto>> {
    return this.warehouses.list(orgId, await this.lists.resolve(WAREHOUSE_LIST, raw, scope));
  }

  @CreateRoute('warehouses', 'warehouses:manage', 'Create a warehouse', WarehouseDto)
  @ApiConflictResponse({ description: 'code taken', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateWarehouseDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<WarehouseDto> {
    return this.warehouses.create(orgId, dto, context);
  }

  @ReadRoute('warehouses:read', 'One warehouse (ETag for If-Match)', WarehouseDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<WarehouseDto> {
    return this.warehouses.get(orgId, id);
  }

  @UpdateRoute(
    'warehouses:manage',
    'Change a warehouse (its address is replaced when sent)',
    WarehouseDto,
  )
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateWarehouseDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<WarehouseDto> {
    return this.warehouses.update(orgId, id, dto, version, context);
  }

  @DeleteRoute('warehouses:manage', 'Delete a warehouse with no locations')
  @ApiConflictResponse({ description: 'still in use', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.warehouses.delete(orgId, id, version, context);
  }
}

@ApiTags('warehouses')
@ApiNotFoundResponse({ description: 'Not in this organization', type: ErrorEnvelopeDto })
@Controller('stock-locations')
export class StockLocationsController {
  constructor(
    private readonly locations: StockLocationsService,
    private readonly lists: ListQueryParser,
  ) {}

  @ListRoute(
    'warehouses:read',
    'Stock locations (a tree inside each warehouse)',
    STOCK_LOCATION_LIST,
    StockLocationDto,
  )
  async list(
    @ListScope() scope: ListScope,
    @ActiveOrganization() orgId: string,
    @Query() raw: Record<string, unknown>,
  ): Promise<Page<StockLocationDto>> {
    return this.locations.list(orgId, await this.lists.resolve(STOCK_LOCATION_LIST, raw, scope));
  }

  @Post()
  @LocationOf('stock-locations')
  @RequirePermissions('warehouses:manage')
  @ApiOperation({
    summary: 'Create a location in a warehouse (under a parent of the same warehouse)',
  })
  @ApiCreatedResponse({ type: StockLocationDto })
  @ApiConflictResponse({ description: 'code taken in this warehouse', type: ErrorEnvelopeDto })
  create(
    @ActiveOrganization() orgId: string,
    @Body() dto: CreateStockLocationDto,
    @AuditContextParam() context: AuditContext,
  ): Promise<StockLocationDto> {
    return this.locations.create(orgId, dto, context);
  }

  @ReadRoute('warehouses:read', 'One location (ETag for If-Match)', StockLocationDto)
  get(@ActiveOrganization() orgId: string, @IdParam() id: string): Promise<StockLocationDto> {
    return this.locations.get(orgId, id);
  }

  @UpdateRoute(
    'warehouses:manage',
    'Change code, name, allowNegative or active flag',
    StockLocationDto,
  )
  update(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: UpdateStockLocationDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<StockLocationDto> {
    return this.locations.update(orgId, id, dto, version, context);
  }

  @Post(':id/move')
  @HttpCode(HttpStatus.OK)
  @RequirePermissions('warehouses:manage')
  @ApiOperation({
    summary: 'Move a location and its subtree within its warehouse (422 tree_cycle under itself)',
  })
  @ApiOkResponse({ type: StockLocationDto })
  move(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @Body() dto: MoveStockLocationDto,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<StockLocationDto> {
    return this.locations.move(orgId, id, dto, version, context);
  }

  @DeleteRoute('warehouses:manage', 'Delete a location with no children, stock or ledger lines')
  @ApiConflictResponse({ description: 'still in use', type: ErrorEnvelopeDto })
  async delete(
    @ActiveOrganization() orgId: string,
    @IdParam() id: string,
    @IfMatch() version: ExpectedVersion,
    @AuditContextParam() context: AuditContext,
  ): Promise<void> {
    await this.locations.delete(orgId, id, version, context);
  }
}
