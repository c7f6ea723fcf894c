// Public surface of the products module.
import { ProductAttributeSchemaEntity, ProductEntity } from './product.entity';

export { ProductsModule } from './products.module';
export { ProductsWorkerModule } from './products-worker.module';
export { ProductsService, PRODUCT_LIST } from './products.service';
export { productConditions } from './products.repository';
export { ProductCounts } from './product-counts';
export { AttributeDefinition, validateAttributes } from './product-rules';
export { CreateProductDto } from './dto/product.dto';
export {
  PRODUCT_STATUSES,
  PRODUCT_TYPES,
  ProductAttributeSchemaEntity,
  ProductEntity,
  ProductStatus,
  ProductType,
} from './product.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const PRODUCTS_ENTITIES = [ProductEntity, ProductAttributeSchemaEntity];
