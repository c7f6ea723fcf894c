import { Injectable, OnModuleInit } from '@nestjs/common';
import { RecordUpdaters } from '../../core/targets';
import { UpdateProductDto } from './dto/product.dto';
import { PRODUCT_LIST, ProductsService } from './products.service';

/**
 * Lets automation rules (issue 19) name products: conditions over the product list's filter
 * fields, and `update_record` through `ProductsService.update` (status transitions, versioning,
 * audit and the `product.updated` event apply as on `PATCH /products/{id}`).
 */
@Injectable()
export class ProductRecordUpdaterRegistration implements OnModuleInit {
  constructor(
    private readonly updaters: RecordUpdaters,
    private readonly products: ProductsService,
  ) {}

  onModuleInit(): void {
    this.updaters.register({
      entityType: 'product',
      list: PRODUCT_LIST,
      from: 'products',
      alias: 'products',
      dto: UpdateProductDto,
      fields: [
        'name',
        'description',
        'status',
        'price',
        'currencyCode',
        'uomCode',
        'categoryId',
        'tags',
        'customFields',
      ],
      update: async (orgId, id, fields, actor, context) => {
        const updated = await this.products.update(orgId, id, fields, undefined, context, actor);
        return { version: updated.version };
      },
    });
  }
}
