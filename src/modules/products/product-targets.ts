import { Injectable, OnModuleInit } from '@nestjs/common';
import { TranslatableTargets } from '../content-translations';
import { AttachmentTargets } from '../files';
import { ProductsRepository } from './products.repository';

/**
 * Registers "does this product exist?" (live, not soft-deleted, of the organization; through
 * `ProductsRepository.exists`) with the modules that refer to products without owning them: files
 * (attachments, type `product`) and content-translations (type `products`). API side only: both
 * checks answer HTTP requests.
 */
@Injectable()
export class ProductTargetsRegistration implements OnModuleInit {
  constructor(
    private readonly attachments: AttachmentTargets,
    private readonly translatable: TranslatableTargets,
    private readonly repository: ProductsRepository,
  ) {}

  onModuleInit(): void {
    const exists = this.repository.exists.bind(this.repository);
    this.attachments.register({ type: 'product', exists });
    this.translatable.register({ type: 'products', exists });
  }
}
