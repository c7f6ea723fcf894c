import { Injectable } from '@nestjs/common';
import { ContactImporter } from './contact-importer';
import type { Importer, ImportResource } from './importer';
import { ProductImporter } from './product-importer';

/** A fresh importer per run (each holds the reference data it preloads). */
@Injectable()
export class ImporterFactory {
  create(resource: ImportResource): Importer {
    return resource === 'products' ? new ProductImporter() : new ContactImporter();
  }
}
