// Public surface of the products module.
import { ProductEntity } from './product.entity';

export { ProductsModule } from './products.module';
export { ProductsWorkerModule } from './products-worker.module';
export { ProductsService, PRODUCT_LIST } from './products.service';
export { productConditions } from './products.repository';
export { ProductCounts } from './product-counts';
export { CreateProductDto } from './dto/product.dto';
export {
  PRODUCT_STATUSES,
  PRODUCT_TYPES,
  ProductEntity,
  ProductStatus,
  ProductType,
} from './product.entity';

/** The TypeORM entities whose tables this module owns (listed by the module registry). */
export const PRODUCTS_ENTITIES = [ProductEntity];
