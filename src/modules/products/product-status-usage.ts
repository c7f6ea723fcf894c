import { Injectable, OnModuleInit } from '@nestjs/common';
import { StatusUsage } from '../statuses';
import { ProductsRepository } from './products.repository';

/**
 * Tells the statuses registry when a status code is in use by products (SPEC-P3 §1): a live
 * product whose lifecycle `status` equals the code. The lifecycle itself stays in code
 * (`PRODUCT_TRANSITIONS`); statuses of type `product` (or of every type) only name it.
 */
@Injectable()
export class ProductStatusUsageRegistration implements OnModuleInit {
  constructor(
    private readonly usage: StatusUsage,
    private readonly repository: ProductsRepository,
  ) {}

  onModuleInit(): void {
    this.usage.register('product', (manager, orgId, code) =>
      this.repository.anyWithStatus(manager, orgId, code),
    );
  }
}
