import { Injectable, OnModuleInit } from '@nestjs/common';
import { TenantDatabase } from '../../core/tenancy';
import { defineJob, JobContext, JobHandler, JobRegistry } from '../jobs';
import { StockRepository } from './stock.repository';

export interface StockReconcilePayload {
  warehouseId?: string;
}

export interface StockReconcileResult {
  checked: number;
  mismatchCount: number;
  /** The first 100 disagreements between a maintained level and its ledger sum. */
  mismatches: { productId: string; locationId: string; level: string; ledger: string }[];
}

export const STOCK_RECONCILE = defineJob<StockReconcilePayload>({ name: 'stock.reconcile' });

/**
 * Recomputes every level of the organization (or one warehouse) from the ledger and reports any
 * disagreement. Read-only, so running it again after a retry is harmless.
 */
@Injectable()
export class StockReconcileJob
  implements JobHandler<StockReconcilePayload, StockReconcileResult>, OnModuleInit
{
  readonly definition = STOCK_RECONCILE;

  constructor(
    private readonly registry: JobRegistry,
    private readonly db: TenantDatabase,
    private readonly repository: StockRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async run(context: JobContext<StockReconcilePayload>): Promise<StockReconcileResult> {
    await context.progress(10);
    const orgId = context.organizationId;
    const warehouseId = context.payload.warehouseId ?? null;
    const rows = await this.db.run(orgId, (manager) =>
      this.repository.levelMismatches(manager, orgId, warehouseId),
    );
    await context.progress(80);
    const checked = await this.db.run(orgId, (manager) =>
      this.repository.countLevels(manager, orgId, warehouseId),
    );
    return {
      checked,
      mismatchCount: rows[0]?.n ?? 0,
      mismatches: rows.map((r) => ({
        productId: r.product_id,
        locationId: r.location_id,
        level: r.level,
        ledger: r.ledger,
      })),
    };
  }
}
